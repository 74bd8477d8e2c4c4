// Mailbox and message operations for IMAP (RFC 9051) over an account store:
// listing, mailbox lifecycle, flags with CONDSTORE modseqs (RFC 7162),
// expunge (the rows go, their UIDs are kept for QRESYNC: store/vanished.h),
// copy and move. Each change is one
// transaction that bumps the account's modseq, followed by a change
// notification to other processes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/account.h"
#include "store/flags.h"

namespace mox::store {

struct Mailbox {
  int64_t id = 0;
  std::string name, special_use;
  int64_t uidvalidity = 0, uidnext = 0, modseq = 0;
  bool subscribed = false;
};

struct MessageRow {
  int64_t id = 0, uid = 0, modseq = 0, size = 0, received = 0, savedate = 0;
  MessageFlags flags;
};

Result<std::vector<Mailbox>> list_mailboxes(AccountStore& a);
Result<std::optional<Mailbox>> find_mailbox(AccountStore& a, const std::string& name);
Result<std::vector<std::string>> list_subscriptions(AccountStore& a);
Result<int64_t> highest_modseq(AccountStore& a);

// RFC 9051 §6.3.4–6.3.7. Names are normalised (normalize_mailbox_name).
Result<Mailbox> create_mailbox(AccountStore& a, const std::string& name,
                               const std::string& special_use);
Status delete_mailbox(AccountStore& a, const std::string& name);
Status rename_mailbox(AccountStore& a, const std::string& from, const std::string& to);
Status set_subscribed(AccountStore& a, const std::string& name, bool subscribed);

// Messages of a mailbox in UID order, without expunged ones. A caller that
// follows changes from here on reads highest_modseq() first: a message
// added in between is then reported again by changes_since(), not missed.
Result<std::vector<MessageRow>> list_messages(AccountStore& a, int64_t mailbox_id);
// Changes after `modseq` (RFC 7162): rows changed or added, and UIDs expunged
// (for an old modseq maybe more, never one still there: store/vanished.h).
struct Changes {
  std::vector<MessageRow> changed;
  std::vector<int64_t> expunged;
  // Read in the same snapshot as the changes: every change up to it is in
  // `changed` and `expunged`, none after it.
  int64_t highest_modseq = 0;
};
Result<Changes> changes_since(AccountStore& a, int64_t mailbox_id, int64_t modseq);

enum class FlagOp { kAdd, kRemove, kReplace };
struct StoreResult {
  std::vector<MessageRow> updated;  // with new flags and modseq
  std::vector<int64_t> modified;    // UIDs refused by UNCHANGEDSINCE (RFC 7162 §3.1.3)
};
Result<StoreResult> store_flags(AccountStore& a, int64_t mailbox_id,
                                const std::vector<int64_t>& uids, FlagOp op,
                                const MessageFlags& flags, std::optional<int64_t> unchanged_since);

// Expunges messages with \Deleted (all, or only `uids`); returns their UIDs.
Result<std::vector<int64_t>> expunge(AccountStore& a, int64_t mailbox_id,
                                     const std::optional<std::vector<int64_t>>& uids);

struct CopyResult {
  int64_t dest_uidvalidity = 0;
  std::vector<int64_t> src_uids, dest_uids;  // RFC 4315 COPYUID
};
// Copies (or moves) messages to mailbox `dest` (kNotFound → [TRYCREATE]).
// A copy that would take the account's disk usage over `quota` bytes (0: no
// limit) is refused with kOverQuota, checked in the transaction that adds
// the rows (store/quota.h); a move adds nothing and is never refused.
Result<CopyResult> copy_messages(AccountStore& a, int64_t mailbox_id,
                                 const std::vector<int64_t>& uids, const std::string& dest,
                                 bool move, int64_t quota);

std::string message_path(const AccountStore& a, int64_t id);

}  // namespace mox::store
