#include "store/shared.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "store/notify.h"

namespace mox::store {
namespace {

// IDs reserved per commit of Account.NextMessageID (see deliver.cc), with
// their files made in advance (precreate_message_files): few for a process
// that delivers a few messages (one per connection), more as it goes on.
// Unused ones are removed when the account is closed.
constexpr int64_t kFirstBlock = 4;
constexpr int64_t kMaxBlock = 128;

}  // namespace

Result<std::shared_ptr<SharedAccount>> SharedAccount::open(const std::string& dir) {
  MOX_ASSIGN(AccountStore st, AccountStore::open(dir, true));
  st.release_lock();  // held only while writing (begin_write)
  return std::shared_ptr<SharedAccount>(new SharedAccount(std::move(st)));
}

SharedAccount::Prepared::Prepared(Prepared&& o) noexcept
    : acc_(std::exchange(o.acc_, nullptr)), row_(std::move(o.row_)), keep_file_(o.keep_file_) {}

SharedAccount::Prepared::~Prepared() {
  if (acc_) acc_->abandon(*this);
}

void SharedAccount::abandon(Prepared& p) {
  // Not committed: the file would be an orphan. After a failed COMMIT the row
  // may be durable all the same; keep the file then (check_account decides).
  if (!p.keep_file_) ::unlink(message_file_path(dir_, p.row_.id).c_str());
  end_write();
}

SharedAccount::SharedAccount(AccountStore st)
    : store_(std::move(st)), dir_(store_.dir()), block_(kFirstBlock) {}

SharedAccount::~SharedAccount() {
  // Files made in advance and not used (a crash leaves them as orphans).
  for (int64_t id = next_id_; id < end_id_; ++id) ::unlink(message_file_path(dir_, id).c_str());
}

Result<int64_t> SharedAccount::reserve_id() {
  std::lock_guard lock(id_mu_);
  if (next_id_ >= end_id_) {
    int64_t first;
    {
      std::lock_guard db(db_mu_);
      MOX_ASSIGN(first, reserve_message_ids(store_.db(), block_));
    }
    MOX_TRY(precreate_message_files(dir_, first, block_, dirs_));
    next_id_ = first;
    end_id_ = first + block_;
    block_ = std::min(block_ * 2, kMaxBlock);
  }
  return next_id_++;
}

Status SharedAccount::begin_write() {
  std::lock_guard lock(files_mu_);
  if (writing_ == 0) {
    if (stale_) return temporary_error("account " + dir_ + " was removed");
    MOX_ASSIGN(bool same, store_.relock());
    if (!same) {
      stale_ = true;
      return temporary_error("account " + dir_ + " was removed");
    }
    auto l = lock_message_files(dir_, FileLock::Mode::kShared);
    if (!l) {
      store_.release_lock();
      return std::move(l).error();
    }
    files_lock_.emplace(std::move(*l));
  }
  ++writing_;
  return {};
}

void SharedAccount::end_write() {
  std::lock_guard lock(files_mu_);
  if (--writing_ == 0) {
    files_lock_.reset();
    store_.release_lock();
  }
}

bool SharedAccount::stale() {
  std::lock_guard lock(files_mu_);
  return stale_;
}

Result<SharedAccount::Prepared> SharedAccount::prepare(const DeliverRequest& req) {
  MOX_TRY(begin_write());
  // From here on `p` ends the write (and removes its file) when it goes.
  Prepared p(this, PendingRow{"", req.create_mailbox, req.received, req.flags, 0, 0, {}, false});
  CheckedRequest c;
  {
    // The database is read only for a mailbox that must exist; otherwise
    // preparing does not wait for a commit in progress.
    std::unique_lock lock(db_mu_, std::defer_lock);
    if (!req.create_mailbox) lock.lock();
    MOX_ASSIGN(c, check_request(store_.db(), req));
  }
  p.row_.mailbox = c.mailbox;
  MOX_ASSIGN(p.row_.id, reserve_id());
  crashpoint("deliver-after-reserve");
  MOX_ASSIGN(p.row_.size, fill_message_file(dir_, p.row_.id, req.prefix, c.src, dirs_));
  crashpoint("deliver-after-file");
  return p;
}

Result<Delivered> SharedAccount::commit(Prepared p) {
  PendingRow& row = p.row_;
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&row);
  while (!row.result) {
    if (committing_) {
      queue_cv_.wait(lock);
      continue;
    }
    // Group commit: this thread commits every row waiting, its own included.
    committing_ = true;
    std::vector<PendingRow*> batch = std::exchange(queue_, {});
    lock.unlock();
    {
      std::lock_guard db(db_mu_);
      commit_rows(store_.db(), batch);
    }
    // A failed wake-up only delays IDLE sessions until their next command.
    (void)notify_account_change(dir_);
    lock.lock();
    committing_ = false;
    queue_cv_.notify_all();
  }
  lock.unlock();
  Result<Delivered> r = std::move(*row.result);
  if (r.ok() || row.committing) p.keep_file_ = true;
  if (r.ok()) crashpoint("deliver-after-commit");
  return r;
}

Result<Delivered> SharedAccount::deliver(const DeliverRequest& req) {
  MOX_ASSIGN(Prepared p, prepare(req));
  return commit(std::move(p));
}

Status SharedAccount::remove(const Delivered& d) {
  MOX_TRY(begin_write());
  Status st;
  {
    std::lock_guard lock(db_mu_);
    st = remove_delivered(store_.db(), dir_, d);
  }
  end_write();
  return st;
}

Result<std::shared_ptr<SharedAccount>> AccountPool::get(const std::string& dir) {
  std::lock_guard lock(mu_);
  for (auto it = open_.begin(); it != open_.end();) {
    it = it->second.expired() ? open_.erase(it) : std::next(it);
  }
  if (auto it = open_.find(dir); it != open_.end()) {
    if (auto acc = it->second.lock(); acc && !acc->stale()) {
      touch(acc);
      return acc;
    }
  }
  MOX_ASSIGN(auto acc, SharedAccount::open(dir));
  open_[dir] = acc;
  touch(acc);
  return acc;
}

void AccountPool::touch(const std::shared_ptr<SharedAccount>& acc) {
  auto it = std::find(recent_.begin(), recent_.end(), acc);
  if (it != recent_.end()) recent_.erase(it);
  recent_.insert(recent_.begin(), acc);
  // Stale ones (removed accounts) go first, then the least recently used.
  std::erase_if(recent_, [](const auto& a) { return a->stale(); });
  if (recent_.size() > keep_) recent_.resize(keep_);
}

}  // namespace mox::store
