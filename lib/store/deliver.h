// Adding a message to an account: delivery by mox-smtpd (MX, and DSNs or
// DMARC/TLS reports to Postmaster/DMARC mailboxes) and, later, IMAP APPEND.
//
// Durability (docs/DESIGN.md "Durability"): when deliver() returns a value,
// the message file is fsynced under its final name, its directory entry is
// fsynced, and the row is committed (SQLite WAL, synchronous=FULL). Only then
// may a server reply "250" or "OK". A crash at any point leaves at worst an
// orphan file, never a row without a file; check_account() finds and removes
// those. Servers delivering from many threads use store/shared.h, which
// shares the fsyncs and commits of concurrent deliveries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/parsed.h"
#include "store/account.h"
#include "store/flags.h"
#include "util/result.h"

namespace mox::store {

// Where an incoming message came from and what the checks of its origin
// said (mailauth/mailauth.h), stored with its row for reputation and junk
// filtering. Results are the words of RFC 8601 ("pass", "fail", ...).
struct MessageAuth {
  std::string remote_ip, ehlo_domain;
  std::string mail_from, mail_from_domain;  // "" for the null reverse path
  std::string msg_from_domain, msg_from_org_domain;
  std::string spf, helo_spf;  // SPF of the MAIL FROM and HELO identities
  std::string dkim_domains;   // verified DKIM d= domains, space-separated
  std::string dmarc, iprev;
  bool ehlo_validated = false, mail_from_validated = false, msg_from_validated = false;
};

struct DeliverRequest {
  // "/"-separated mailbox name, normalized by normalize_mailbox_name().
  std::string mailbox = "Inbox";
  // Create the mailbox (and missing parents, subscribed) if it does not
  // exist. IMAP APPEND passes false and answers kNotFound with [TRYCREATE].
  bool create_mailbox = true;
  // Written before the message, e.g. "Received: ...\r\n" (CRLF line ends).
  std::string prefix;
  // The message in memory (not copied; must outlive the call), or else:
  std::optional<std::string_view> source_data;
  // The spooled message: an open fd (not closed, its offset is not changed
  // for regular files), or when source_fd < 0 the path of a file to open.
  int source_fd = -1;
  std::string source_path;
  int64_t source_offset = 0;  // where the message starts in the source
  int64_t received = 0;       // INTERNALDATE, seconds since the epoch; 0: now
  MessageFlags flags;         // initial flags and keywords (check_flags())
  // The account's QuotaMessageSize in bytes, 0: no limit. A message that
  // would take the account's disk usage over it is refused with kOverQuota,
  // checked in the transaction that adds the row (store/quota.h).
  int64_t quota = 0;
  // Set for mail from outside (mox-smtpd's MX): stored with the row.
  std::optional<MessageAuth> auth;
  // The message as it is stored (prefix + source), parsed by the caller
  // (message/parsed.h prepend): its FETCH forms and search text are made
  // from this, and the file written is not parsed (store/parsed.h). Null:
  // the store parses what it wrote.
  std::shared_ptr<const message::Parsed> parsed;
};

struct Delivered {
  int64_t id = 0;  // Message.ID, also names the file msg/<dir>/<id>
  int64_t mailbox_id = 0;
  int64_t uid = 0;     // the mailbox's UIDNext before this delivery
  int64_t modseq = 0;  // the account's new highest modseq
  int64_t size = 0;    // bytes in the file: prefix + message
};

// Adds one message to one account. Safe to call concurrently from many
// processes on the same account; each call costs one short write
// transaction (two when the block of message IDs that `account` reserved is
// used up: store/idblocks.h), and
// the slow part (copying and fsyncing the file) runs outside it. Errors: kUser
// (bad mailbox name or flags), kNotFound (no such mailbox and !create_mailbox;
// source file missing), kTemporary (database busy beyond the busy timeout),
// kOverQuota (req.quota), kInternal (I/O). Calls notify_account_change() after
// the commit.
Result<Delivered> deliver(AccountStore& account, const DeliverRequest& req);

// Takes a delivered message away again: the row is removed and its UID
// recorded as expunged at a new modseq (IMAP sessions see it vanish, RFC
// 7162 §3.2.10; store/vanished.h), and the file is removed. For a delivery to several accounts that
// must not stay half done (mox-smtpd answers 451 and the client retries).
Status undeliver(AccountStore& account, const Delivered& d);

}  // namespace mox::store
