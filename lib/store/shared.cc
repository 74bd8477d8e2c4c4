#include "store/shared.h"

#include <unistd.h>

#include <utility>

#include "store/notify.h"

namespace mox::store {
namespace {

// IDs reserved per commit of Account.NextMessageID (see deliver.cc); unused
// ones are gaps when the process ends.
constexpr int64_t kIdBlock = 64;

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

Result<int64_t> SharedAccount::reserve_id() {
  std::lock_guard lock(db_mu_);
  if (next_id_ >= end_id_) {
    MOX_ASSIGN(int64_t first, reserve_message_ids(store_.db(), kIdBlock));
    next_id_ = first;
    end_id_ = first + kIdBlock;
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

Status SharedAccount::sync_dir(int64_t id) {
  std::string dir = message_dir_path(dir_, id);
  GroupSync* g;
  {
    std::lock_guard lock(files_mu_);
    auto& p = dir_syncs_[dir];
    if (!p) p = std::make_unique<GroupSync>();
    g = p.get();
  }
  return g->run([&] { return fsync_dir(dir); });
}

Result<SharedAccount::Prepared> SharedAccount::prepare(const DeliverRequest& req) {
  MOX_TRY(begin_write());
  // From here on `p` ends the write (and removes its file) when it goes.
  Prepared p(this, PendingRow{"", req.create_mailbox, req.received, req.flags, 0, 0, {}, false});
  CheckedRequest c;
  {
    std::lock_guard lock(db_mu_);
    MOX_ASSIGN(c, check_request(store_.db(), req));
  }
  p.row_.mailbox = c.mailbox;
  MOX_ASSIGN(p.row_.id, reserve_id());
  crashpoint("deliver-after-reserve");
  MOX_ASSIGN(p.row_.size, create_message_file(dir_, p.row_.id, req.prefix, c.src, dirs_));
  MOX_TRY(sync_dir(p.row_.id));
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
    if (auto acc = it->second.lock(); acc && !acc->stale()) return acc;
  }
  MOX_ASSIGN(auto acc, SharedAccount::open(dir));
  open_[dir] = acc;
  return acc;
}

}  // namespace mox::store
