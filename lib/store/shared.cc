#include "store/shared.h"

#include <unistd.h>

#include <algorithm>
#include <tuple>
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
constexpr int64_t kMakeAheadAfter = 32;  // IDs handed out
// Messages indexed per transaction by the indexer: large enough to share a
// commit, small enough that a delivery arriving meanwhile waits little.
constexpr size_t kIndexBatch = 16;
constexpr size_t kIndexBatchBytes = 256 << 10;  // of search text per transaction

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
  if (!p.keep_file_) {
    ::unlink(message_file_path(dir_, p.row_.id).c_str());
    (void)kept_.take(p.row_.id);  // not to be indexed
  }
  end_write();
}

SharedAccount::SharedAccount(AccountStore st)
    : store_(std::move(st)), dir_(store_.dir()), block_(kFirstBlock) {
  // Checkpoints run in a thread of their own (checkpoint()), not inside the
  // commit that crosses the threshold, which would make every delivery
  // waiting for that commit wait for the checkpoint's copying and fsyncs.
  // A WAL hook replaces SQLite's automatic checkpoint on this connection.
  sqlite3_wal_hook(store_.db().raw(), &SharedAccount::wal_hook, this);
}

SharedAccount::~SharedAccount() {
  {
    std::lock_guard lock(index_mu_);
    index_stop_ = true;
  }
  index_cv_.notify_all();
  maker_.stop();
  // Files made in advance and not used (a crash leaves them as orphans),
  // first: a process killed while indexing below leaves none.
  for (int64_t id = next_id_; id < end_id_; ++id) ::unlink(message_file_path(dir_, id).c_str());
  for (int64_t id = ready_first_; id < ready_end_; ++id) {
    ::unlink(message_file_path(dir_, id).c_str());
  }
  if (indexer_.joinable()) indexer_.join();  // after a batch in progress
  // No lock needed from here: the indexer has ended and to_index() adds nothing.
  auto until = Clock::now() + kIndexOnClose;
  while (!to_index_.empty() && Clock::now() < until) index_batch(take_index_batch());
  checkpointer_.stop();
}

int SharedAccount::wal_hook(void* self, sqlite3*, const char*, int pages) {
  // SQLite's automatic checkpoint starts at 1000 pages too.
  constexpr int kCheckpointPages = 1000;
  if (pages >= kCheckpointPages) {
    auto* acc = static_cast<SharedAccount*>(self);
    acc->checkpointer_.start([acc] { acc->checkpoint(); });  // unless one is running
  }
  return SQLITE_OK;
}

void SharedAccount::checkpoint() {
  // A connection of its own: PASSIVE copies what no reader still needs into
  // the database file and fsyncs it, without blocking writers; the next
  // commit then starts the WAL from the beginning. A failure (e.g. the
  // account was removed meanwhile) only leaves the WAL longer.
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2((dir_ + "/index.db").c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  if (rc == SQLITE_OK) {
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // Until a first checkpoint the database file's header may still say
    // "rollback journal": a connection sees the WAL once it asks for it.
    sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    sqlite3_wal_checkpoint_v2(raw, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
}

Result<std::pair<int64_t, int64_t>> SharedAccount::make_block(int64_t n) {
  int64_t first;
  {
    std::lock_guard db(db_mu_);
    MOX_ASSIGN(first, reserve_message_ids(store_.db(), n));
  }
  MOX_TRY(precreate_message_files(dir_, first, n, dirs_));
  return std::pair{first, first + n};
}

Result<int64_t> SharedAccount::reserve_id() {
  std::unique_lock lock(id_mu_);
  while (next_id_ >= end_id_) {
    if (ready_first_ < ready_end_) {
      next_id_ = std::exchange(ready_first_, 0);
      end_id_ = std::exchange(ready_end_, 0);
    } else if (making_) {
      id_cv_.wait(lock);
    } else {
      MOX_TRY(fill_ready(lock));
    }
  }
  int64_t id = next_id_++;
  ++handed_out_;
  // Once the process has shown that it delivers many messages, the next
  // block is made when half of this one is used, in a thread of its own,
  // rather than by the first delivery that finds no ID left while all others
  // wait for it. A short-lived process (a connection under inetd) makes its
  // few small blocks as it goes, and leaves few files unused.
  if (handed_out_ >= kMakeAheadAfter && !making_ && ready_first_ >= ready_end_ &&
      (end_id_ - next_id_) * 2 < block_) {
    making_ = true;
    if (!maker_.start([this] { make_ahead(); })) making_ = false;  // the last one still ending
  }
  return id;
}

void SharedAccount::make_ahead() {
  // Holds the locks as a delivery does, so that the account cannot be
  // removed under it. On error the next reserve_id() makes the block itself.
  bool ok = static_cast<bool>(begin_write());
  int64_t n;
  {
    std::lock_guard lock(id_mu_);
    n = block_;
  }
  auto b = ok ? make_block(n) : Result<std::pair<int64_t, int64_t>>(internal_error(""));
  if (ok) end_write();
  std::lock_guard lock(id_mu_);
  making_ = false;
  id_cv_.notify_all();
  if (!b) return;
  std::tie(ready_first_, ready_end_) = *b;
  block_ = std::min(block_ * 2, kMaxBlock);
}

Status SharedAccount::fill_ready(std::unique_lock<std::mutex>& lock) {
  making_ = true;
  int64_t n = block_;
  lock.unlock();
  auto b = make_block(n);
  lock.lock();
  making_ = false;
  id_cv_.notify_all();
  if (!b) return std::move(b).error();
  std::tie(ready_first_, ready_end_) = *b;
  block_ = std::min(block_ * 2, kMaxBlock);
  return {};
}

bool BackgroundTask::start(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (running_ || stopped_) return false;
  if (thread_.joinable()) thread_.join();  // finished: running_ is false
  running_ = true;
  thread_ = std::thread([this, fn = std::move(fn)] {
    fn();
    std::lock_guard l(mu_);
    running_ = false;
  });
  return true;
}

void BackgroundTask::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  if (thread_.joinable()) thread_.join();
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
  {
    std::lock_guard lock(index_mu_);
    last_delivery_ = Clock::now();  // the indexer waits for a pause
  }
  MOX_TRY(begin_write());
  // From here on `p` ends the write (and removes its file) when it goes.
  Prepared p(this, PendingRow{"", req.create_mailbox, req.received, req.flags, 0, 0, {}, false});
  p.row_.quota = req.quota;
  p.row_.auth = req.auth;
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
  MOX_ASSIGN(p.row_.forms, delivered_forms(dir_, p.row_.id, p.row_.size, req, kept_));
  return p;
}

Result<Delivered> SharedAccount::commit(Prepared p) {
  PendingRow& row = p.row_;
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&row);
  // Not row.result: the committing thread writes it without queue_mu_.
  while (!row.done) {
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
    lock.lock();
    for (PendingRow* r : batch) r->done = true;
    committing_ = false;
    queue_cv_.notify_all();
    lock.unlock();
    // After waking the others, so that the next group need not wait for it.
    // A failed wake-up only delays IDLE sessions until their next command.
    (void)notify_account_change(dir_);
    lock.lock();
  }
  lock.unlock();
  Result<Delivered> r = std::move(*row.result);
  if (r.ok() || row.committing) p.keep_file_ = true;
  if (r.ok()) {
    crashpoint("deliver-after-commit");
    to_index(r->id);
  } else {
    (void)kept_.take(row.id);  // not to be indexed
  }
  return r;
}

void SharedAccount::to_index(int64_t id) {
  std::lock_guard lock(index_mu_);
  if (index_stop_) {
    (void)kept_.take(id);
    return;  // indexed at the next search
  }
  auto now = Clock::now();
  bool was_empty = to_index_.empty();
  to_index_.emplace_back(id, now);
  last_delivery_ = now;
  if (!indexer_.joinable()) indexer_ = std::thread([this] { index_loop(); });
  // Only an indexer with nothing to do waits for this; one waiting for a
  // pause looks at last_delivery_ when it wakes (no wake-up per delivery).
  if (was_empty) index_cv_.notify_all();
}

size_t SharedAccount::index_backlog() {
  std::lock_guard lock(index_mu_);
  return to_index_.size();
}

void SharedAccount::index_loop() {
  std::unique_lock lock(index_mu_);
  while (true) {
    index_cv_.wait(lock, [this] { return index_stop_ || !to_index_.empty(); });
    if (index_stop_) return;  // the destructor indexes the rest
    // Deliveries first: start when they pause, or when the oldest message
    // has waited too long (mail that never pauses is indexed all the same).
    auto idle_at = last_delivery_ + kIndexIdle;
    auto due_at = to_index_.front().second + kIndexMaxDelay;
    auto now = Clock::now();
    if (now < idle_at && now < due_at) {
      index_cv_.wait_until(lock, std::min(idle_at, due_at));
      continue;
    }
    std::vector<int64_t> ids = take_index_batch();
    lock.unlock();
    index_batch(ids);
    lock.lock();
  }
}

std::vector<int64_t> SharedAccount::take_index_batch() {
  std::vector<int64_t> ids;
  while (!to_index_.empty() && ids.size() < kIndexBatch) {
    ids.push_back(to_index_.front().first);
    to_index_.pop_front();
  }
  return ids;
}

void SharedAccount::index_batch(const std::vector<int64_t>& ids) {
  // Parsing needs no lock; storing holds the locks as a delivery does, so
  // that the account cannot be removed under it. A failure leaves the
  // messages to the next search (ensure_parsed).
  std::vector<ParsedFile> files = parse_message_files(dir_, ids, &kept_);
  if (!begin_write()) return;
  for (size_t i = 0; i < files.size();) {
    std::vector<ParsedFile> chunk;
    size_t bytes = 0;
    for (; i < files.size() && (chunk.empty() || bytes < kIndexBatchBytes); ++i) {
      bytes += files[i].parsed.headers.size() + files[i].parsed.text.size();
      chunk.push_back(std::move(files[i]));
    }
    std::lock_guard db(db_mu_);
    (void)store_parsed_batch(store_.db(), chunk);
  }
  end_write();
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
  // Accounts pushed out are closed after the pool's mutex is released: closing
  // one may index its waiting messages, which must not hold up other lookups.
  std::vector<std::shared_ptr<SharedAccount>> dropped;
  std::lock_guard lock(mu_);
  for (auto it = open_.begin(); it != open_.end();) {
    it = it->second.expired() ? open_.erase(it) : std::next(it);
  }
  if (auto it = open_.find(dir); it != open_.end()) {
    if (auto acc = it->second.lock(); acc && !acc->stale()) {
      touch(acc, dropped);
      return acc;
    }
  }
  MOX_ASSIGN(auto acc, SharedAccount::open(dir));
  open_[dir] = acc;
  touch(acc, dropped);
  return acc;
}

void AccountPool::touch(const std::shared_ptr<SharedAccount>& acc,
                        std::vector<std::shared_ptr<SharedAccount>>& dropped) {
  auto it = std::find(recent_.begin(), recent_.end(), acc);
  if (it != recent_.end()) recent_.erase(it);
  recent_.insert(recent_.begin(), acc);
  // Stale ones (removed accounts) go first, then the least recently used.
  for (auto& a : recent_) {
    if (a->stale()) dropped.push_back(a);
  }
  std::erase_if(recent_, [](const auto& a) { return a->stale(); });
  while (recent_.size() > keep_) {
    dropped.push_back(std::move(recent_.back()));
    recent_.pop_back();
  }
}

}  // namespace mox::store
