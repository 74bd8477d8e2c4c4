// Mailbox names and on-demand creation inside an account transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::store {

// Checks a mailbox name and returns its stored form. Names are UTF-8 with "/"
// as hierarchy separator: not empty, no empty levels (leading, trailing or
// doubled "/"), no control characters, no "%" or "*" (LIST wildcards, RFC 9051
// §6.3.9), no leading "#" (namespaces, RFC 9051 §5.1.2). "INBOX" is
// case-insensitive (RFC 9051 §5.1) and stored as "Inbox", also as the first
// level of a hierarchy ("inbox/x" → "Inbox/x"), as mox does.
Result<std::string> normalize_mailbox_name(std::string_view name);

struct MailboxRef {
  int64_t id = 0;
  int64_t uidnext = 0;
  bool created = false;  // by this call
};

// Inside a write transaction: the UIDVALIDITY for a new mailbox, taken from
// Account.UIDValidityNext after raising it to the time (seconds since the
// epoch), so that values never repeat for a mailbox name, not even in an
// account removed and made again (RFC 9051 §2.3.1.1), as Dovecot and mox do.
Result<int64_t> take_uidvalidity(db::Db& db);

// Must run inside a write transaction (Tx). Finds mailbox `name` (already
// normalized); if missing and `create` is set, creates it and any missing
// parents with CreateModSeq = ModSeq = `modseq`, a fresh UIDValidity each
// (take_uidvalidity), and with `subscribe` subscribes them (a delivery does,
// so that a new mailbox shows in clients that list subscriptions; IMAP CREATE
// does not, subscriptions being the client's, RFC 9051 §6.3.7). Missing and
// !create: kNotFound (IMAP [TRYCREATE]).
Result<MailboxRef> ensure_mailbox(db::Db& db, const std::string& name, bool create, int64_t modseq,
                                  bool subscribe = true);

}  // namespace mox::store
