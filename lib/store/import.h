// Importing many messages into one account (mox-config import,
// docs/DESIGN.md "Import and export"): messages are added in batches, each
// written as message files and committed as rows together, through the same
// stages as deliver() (store/deliver_internal.h): the message file, then
// parse_into_row() (FETCH forms, search text, SORT keys), then
// commit_rows(). So an imported message is stored exactly as a delivered
// one.
//
// Durability per batch (docs/DESIGN.md "Durability"): the batch's files are
// written without an fsync each, then made durable at once (Sync::kSyncfs:
// one syncfs(2) of the account's file system; Sync::kFsync: an fsync per
// file), each msg/<dir> of the batch is fsynced once, and the rows are
// committed in one transaction. notify_account_change() follows each batch,
// so IDLE sessions see the messages arrive. ACCOUNT/msgfiles.lock is held
// shared from the batch's first file to its commit, as deliver() holds it.
//
// All or nothing: undo() takes every message this importer committed away
// again (rows removed, UIDs recorded as expunged, files removed: what
// undeliver() does), for an import that fails midway. A crash leaves the
// batches committed before it (and orphan files of the batch in flight,
// which check_account() removes). So that an import run again after a
// crash completes it without duplicates, Options::skip_existing leaves out
// a message when its mailbox held, before this importer added to it, a
// message of the same size, INTERNALDATE and Message-ID (the SORT key of
// store/sortkeys.h); messages without a Message-ID are always added.
// Mailboxes created by the import stay.
//
// Memory: one batch of messages' rows and parsed forms (bounded by
// Options::batch_bytes plus what parsing adds), 40 bytes per message
// committed (for undo()), and with skip_existing the keys of the messages
// that were in the target mailboxes (about 100 bytes each).
//
// Not thread-safe; uses the AccountStore's database (one caller at a time).
// Other processes may use the account meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "store/account.h"
#include "store/deliver.h"
#include "store/flags.h"
#include "store/msgfile.h"
#include "util/fs.h"
#include "util/result.h"

namespace mox::store {

struct PendingRow;

class Importer {
 public:
  enum class Sync { kSyncfs, kFsync };
  struct Options {
    int64_t batch_messages = 256;    // at most this many messages a batch
    int64_t batch_bytes = 16 << 20;  // a batch ends once its messages reach this size
    int64_t quota = 0;               // DeliverRequest::quota
    Sync sync = Sync::kSyncfs;
    bool skip_existing = false;  // see above
  };

  Importer(AccountStore& account, Options o);
  ~Importer();  // removes the files of a batch not committed
  Importer(const Importer&) = delete;
  Importer& operator=(const Importer&) = delete;

  // Adds `data` (the message as stored: CRLF line ends) to `mailbox`
  // (normalized, created with its parents when missing) with `flags` and
  // INTERNALDATE `received` (0: now). The file is written now; the row is
  // committed with the batch. Returns false when skip_existing left it out.
  // Errors: kUser (mailbox name), kOverQuota, I/O; after one, call undo().
  Result<bool> add(std::string_view mailbox, std::string_view data, const MessageFlags& flags,
                   int64_t received);
  // Commits the batch waiting (add() does when a batch is full).
  Status flush();
  // Removes every message committed by this importer, and the files of the
  // batch waiting. Notifies.
  Status undo();

  int64_t committed() const { return static_cast<int64_t>(done_.size()); }
  // The normalized names of the mailboxes messages were committed to.
  const std::set<std::string>& mailboxes() const { return mailboxes_; }

 private:
  Status begin_batch();
  // The keys "size received message-id" of the messages `mailbox` held
  // before this importer added to it (skip_existing).
  Result<const std::unordered_set<std::string>*> existing(const std::string& mailbox);
  Status make_durable();
  void discard_batch();

  AccountStore& account_;
  Options opts_;
  MessageDirs dirs_;
  std::vector<std::unique_ptr<PendingRow>> batch_;
  int64_t batch_size_ = 0;
  int64_t next_id_ = 0, end_id_ = 0;  // reserved IDs not used yet
  std::optional<FileLock> files_lock_;
  std::vector<Delivered> done_;
  std::set<std::string> mailboxes_;
  std::string last_mailbox_, last_normalized_;
  // skip_existing: per normalized mailbox name, the keys of its messages.
  std::map<std::string, std::unordered_set<std::string>> existing_;
};

// The IMAP flag names `names` as MessageFlags, leaving out what the store
// cannot keep (\Recent, unknown system flags, keywords that are no atom:
// RFC 9051 §9 flag-keyword); `dropped` gets those when given.
MessageFlags import_flags(const std::vector<std::string>& names,
                          std::vector<std::string>* dropped = nullptr);

}  // namespace mox::store
