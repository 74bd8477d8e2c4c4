// Adding a message to an account: delivery by mox-smtpd (MX, and DSNs or
// DMARC/TLS reports to Postmaster/DMARC mailboxes) and, later, IMAP APPEND.
//
// Durability (DESIGN.md "The account store"): when deliver() returns a value,
// the message file is fsynced under its final name, its directory entry is
// fsynced, and the row is committed (SQLite WAL, synchronous=FULL). Only then
// may a server reply "250" or "OK". A crash at any point leaves at worst an
// orphan file or temp file, never a row without a file; check_account()
// finds and removes those.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/account.h"
#include "store/flags.h"
#include "util/result.h"

namespace mox::store {

struct DeliverRequest {
  // "/"-separated mailbox name, normalized by normalize_mailbox_name().
  std::string mailbox = "Inbox";
  // Create the mailbox (and missing parents, subscribed) if it does not
  // exist. IMAP APPEND passes false and answers kNotFound with [TRYCREATE].
  bool create_mailbox = true;
  // Written before the message, e.g. "Received: ...\r\n" (CRLF line ends).
  std::string prefix;
  // The spooled message: an open fd (not closed, its offset is not changed
  // for regular files), or when source_fd < 0 the path of a file to open.
  int source_fd = -1;
  std::string source_path;
  int64_t source_offset = 0;  // where the message starts in the source
  int64_t received = 0;       // INTERNALDATE, seconds since the epoch; 0: now
  MessageFlags flags;         // initial flags and keywords (check_flags())
};

struct Delivered {
  int64_t id = 0;  // Message.ID, also names the file msg/<dir>/<id>
  int64_t mailbox_id = 0;
  int64_t uid = 0;     // the mailbox's UIDNext before this delivery
  int64_t modseq = 0;  // the account's new highest modseq
  int64_t size = 0;    // bytes in the file: prefix + message
};

// Adds one message to one account. Safe to call concurrently from many
// processes on the same account; each call costs two short write
// transactions, and the slow part (copying and fsyncing the file) runs
// outside them. Errors: kUser (bad mailbox name or flags), kNotFound (no
// such mailbox and !create_mailbox; source file missing), kTemporary (database
// busy beyond the busy timeout), kInternal (I/O). Calls
// notify_account_change() after the commit.
Result<Delivered> deliver(AccountStore& account, const DeliverRequest& req);

}  // namespace mox::store
