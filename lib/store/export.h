// A consistent view of an account for mox-config export (admin/export.h):
// its mailboxes and their messages as of one moment, read in chunks.
//
// The snapshot is one read transaction (db::Tx::begin_read), open until
// end() or destruction: a delivery, flag change or expunge committed
// meanwhile is not seen, whatever the number of chunks read. Message files
// are written once and never changed (store/msgfile.h), and a row is
// committed only after its file is complete, so every file of the snapshot
// is whole. An expunge removes its file right after its commit
// (store/messages.h), without a lock that a reader could hold; so a message
// of the snapshot expunged since has no file any more: open_file() says
// kNotFound, and the export leaves the message out. That a file is missing
// because of such an expunge, not damage, is checked after end() by
// still_present(). Long snapshots keep SQLite from resetting the WAL (it
// grows while deliveries go on), nothing else: readers block no writer.
//
// Not thread-safe; the AccountStore must outlive the snapshot and is not
// used for anything else while the snapshot is open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "store/account.h"
#include "store/flags.h"
#include "store/messages.h"
#include "util/unique_fd.h"

namespace mox::store {

struct ExportRow {
  int64_t id = 0, uid = 0, received = 0, size = 0;
  MessageFlags flags;
  std::string mail_from;  // SMTP MAIL FROM of mail from outside, else ""
};

class ExportSnapshot {
 public:
  // Starts the snapshot and reads the mailboxes (ordered by name).
  static Result<ExportSnapshot> begin(AccountStore& a);

  const std::vector<Mailbox>& mailboxes() const { return mailboxes_; }
  // The number of messages in mailbox `mailbox_id`.
  Result<int64_t> count(int64_t mailbox_id);
  // Up to `limit` messages of mailbox `mailbox_id` with a UID above
  // `after_uid`, in UID order.
  Result<std::vector<ExportRow>> messages(int64_t mailbox_id, int64_t after_uid, int limit);
  // Opens the file of message `id` read-only; kNotFound when it is gone.
  Result<UniqueFd> open_file(int64_t id) const;

  // Ends the snapshot (idempotent).
  void end() { tx_.reset(); }
  // After end(): those of `ids` whose messages are still in the account.
  Result<std::vector<int64_t>> still_present(const std::vector<int64_t>& ids);

 private:
  ExportSnapshot(AccountStore& a, db::Tx tx) : a_(&a), tx_(std::move(tx)) {}
  AccountStore* a_;
  std::optional<db::Tx> tx_;
  std::vector<Mailbox> mailboxes_;
};

}  // namespace mox::store
