#include "store/import.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "store/deliver_internal.h"
#include "store/idblocks.h"
#include "store/mailbox.h"
#include "store/msgfile.h"
#include "store/notify.h"
#include "util/unique_fd.h"

namespace mox::store {

Importer::Importer(AccountStore& account, Options o) : account_(account), opts_(o) {}

Importer::~Importer() { discard_batch(); }

void Importer::discard_batch() {
  for (const auto& r : batch_) ::unlink(message_file_path(account_.dir(), r->id).c_str());
  batch_.clear();
  batch_size_ = 0;
  files_lock_.reset();
}

Status Importer::begin_batch() {
  // Held from the first file of the batch to its commit (store/msgfile.h).
  MOX_ASSIGN(FileLock lock, lock_message_files(account_.dir(), FileLock::Mode::kShared));
  files_lock_.emplace(std::move(lock));
  if (next_id_ >= end_id_) {
    MOX_ASSIGN(next_id_, reserve_message_ids(account_.db(), opts_.batch_messages));
    end_id_ = next_id_ + opts_.batch_messages;
  }
  return {};
}

Result<const std::unordered_set<std::string>*> Importer::existing(const std::string& mailbox) {
  auto it = existing_.find(mailbox);
  if (it == existing_.end()) {
    std::unordered_set<std::string> keys;
    MOX_ASSIGN(db::Stmt q, account_.db().prepare(
                               "SELECT m.Size, m.Received, m.ThreadMessageID FROM Message m "
                               "JOIN Mailbox b ON m.MailboxID = b.ID "
                               "WHERE b.Name = ? AND m.Expunged = 0 AND m.ThreadMessageID != ''"));
    q.bind(1, mailbox);
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      keys.insert(std::to_string(q.col_int(0)) + " " + std::to_string(q.col_int(1)) + " " +
                  q.col_text(2));
    }
    it = existing_.emplace(mailbox, std::move(keys)).first;
  }
  return &it->second;
}

Result<bool> Importer::add(std::string_view mailbox, std::string_view data,
                           const MessageFlags& flags, int64_t received) {
  if (mailbox != last_mailbox_) {
    MOX_ASSIGN(last_normalized_, normalize_mailbox_name(mailbox));
    last_mailbox_ = std::string(mailbox);
  }
  MOX_TRY(check_flags(flags));
  auto row = std::make_unique<PendingRow>();
  row->mailbox = last_normalized_;
  row->received = received;
  row->flags = flags;
  row->quota = opts_.quota;
  parse_into_row(*row, data, nullptr);
  if (opts_.skip_existing) {
    // Loaded before the first message of the mailbox is added: the keys of
    // what was there before, not of what this import adds.
    MOX_ASSIGN(auto keys, existing(row->mailbox));
    std::string key =
        std::to_string(data.size()) + " " + std::to_string(received) + " " + row->sort->message_id;
    if (received != 0 && !row->sort->message_id.empty() && keys->count(key)) return false;
  }
  if (batch_.empty()) MOX_TRY(begin_batch());
  row->id = next_id_++;
  MessageSource src;
  src.data = data;
  bool fsync_each = opts_.sync == Sync::kFsync;
  MOX_ASSIGN(row->size, create_message_file(account_.dir(), row->id, "", src, dirs_, fsync_each));
  batch_.push_back(std::move(row));
  batch_size_ += batch_.back()->size;
  if (static_cast<int64_t>(batch_.size()) >= opts_.batch_messages ||
      batch_size_ >= opts_.batch_bytes || next_id_ >= end_id_)
    MOX_TRY(flush());
  return true;
}

Status Importer::make_durable() {
  if (opts_.sync == Sync::kSyncfs) {
    UniqueFd fd(::open(account_.dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return os_error("open " + account_.dir(), errno);
    // Writes back every dirty file of the file system, the batch's among
    // them, and reports their write-back errors (syncfs(2), Linux 5.8).
    if (::syncfs(fd.get()) != 0) return os_error("syncfs " + account_.dir(), errno);
  }
  std::set<std::string> dirs;
  for (const auto& r : batch_) dirs.insert(message_dir_path(account_.dir(), r->id));
  for (const auto& d : dirs) MOX_TRY(fsync_dir(d));
  return {};
}

Status Importer::flush() {
  if (batch_.empty()) return {};
  if (auto st = make_durable(); !st) {
    discard_batch();
    return st;
  }
  crashpoint("import-before-commit");
  std::vector<PendingRow*> rows;
  for (const auto& r : batch_) rows.push_back(r.get());
  commit_rows(account_.db(), rows);
  std::optional<Error> failed;
  for (auto& r : batch_) {
    if (r->result->ok()) {
      done_.push_back(**r->result);
      mailboxes_.insert(r->mailbox);
    } else {
      if (!failed) failed = r->result->error();
      // Rolled back for sure: remove the file. After a failed COMMIT the
      // row may be durable: keep it then (check_account() decides).
      if (!r->committing) ::unlink(message_file_path(account_.dir(), r->id).c_str());
    }
  }
  batch_.clear();
  batch_size_ = 0;
  files_lock_.reset();
  (void)notify_account_change(account_.dir());
  crashpoint("import-after-commit");
  if (failed) return *failed;
  return {};
}

Status Importer::undo() {
  discard_batch();
  Status st = remove_delivered(account_.db(), account_.dir(), done_);
  if (st) {
    done_.clear();
    mailboxes_.clear();
  }
  return st;
}

MessageFlags import_flags(const std::vector<std::string>& names,
                          std::vector<std::string>* dropped) {
  MessageFlags out;
  for (const std::string& n : names) {
    auto one = parse_flags({n});
    if (!one) {
      if (dropped) dropped->push_back(n);
      continue;
    }
    out.bits |= one->bits;
    for (auto& k : one->keywords) {
      bool have = false;
      for (const auto& x : out.keywords) have = have || x == k;
      if (!have) out.keywords.push_back(std::move(k));
    }
  }
  return out;
}

}  // namespace mox::store
