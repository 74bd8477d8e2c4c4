#include "store/shared.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "store/notify.h"

namespace mox::store {
namespace {

// IDs reserved per block, with their files made in advance
// (precreate_message_files): few for a process that delivers a few messages
// (one per connection), more as it goes on. Unused ones are removed when the
// account is closed.
constexpr IdBlocks::Options kBlocks{4, 128, true, 32};
// Search text per transaction of the indexer.
constexpr size_t kIndexBatchBytes = 256 << 10;

}  // namespace

Result<std::shared_ptr<SharedAccount>> SharedAccount::open(const std::string& dir) {
  MOX_ASSIGN(AccountStore st, AccountStore::open(dir, true));
  st.release_lock();  // held only while writing (begin_write)
  return std::shared_ptr<SharedAccount>(new SharedAccount(std::move(st)));
}

SharedAccount::SharedAccount(AccountStore st)
    : store_(std::move(st)),
      dir_(store_.dir()),
      db_(store_.db()),
      with_db_([this](const std::function<Result<int64_t>(db::Db&)>& use) { return with_db(use); }),
      ids_(dir_, kBlocks),
      commits_(
          [this](const std::vector<PendingRow*>& rows) {
            MutexLock lock(db_mu_);
            commit_rows(db_, rows);
          },
          // A failed wake-up only delays IDLE sessions until their next command.
          [this] { (void)notify_account_change(dir_); }),
      indexer_([this](const std::vector<int64_t>& ids) { index_batch(ids); }),
      checkpointer_(store_.db().raw(), dir_ + "/index.db") {}

SharedAccount::~SharedAccount() {
  maker_.stop();
  // Files made in advance and not used (a crash leaves them as orphans),
  // first: a process killed while indexing below leaves none.
  ids_.discard();
  indexer_.stop(kIndexOnClose);
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

Result<int64_t> SharedAccount::with_db(const std::function<Result<int64_t>(db::Db&)>& use) {
  MutexLock lock(db_mu_);
  return use(db_);
}

void SharedAccount::make_ahead() {
  // Holds the locks as a delivery does, so that the account cannot be
  // removed under it. On error the next take() makes the block itself.
  bool ok = static_cast<bool>(begin_write());
  ids_.make_ahead(ok ? &with_db_ : nullptr);
  if (ok) end_write();
}

Status SharedAccount::begin_write() {
  MutexLock lock(files_mu_);
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
  MutexLock lock(files_mu_);
  if (--writing_ == 0) {
    files_lock_.reset();
    store_.release_lock();
  }
}

bool SharedAccount::stale() {
  MutexLock lock(files_mu_);
  return stale_;
}

Result<CheckedRequest> SharedAccount::check(const DeliverRequest& req) {
  // The database is read only for a mailbox that must exist; otherwise
  // preparing does not wait for a commit in progress.
  if (req.create_mailbox) return check_request(nullptr, req);
  MutexLock lock(db_mu_);
  return check_request(&db_, req);
}

Result<SharedAccount::Prepared> SharedAccount::prepare(const DeliverRequest& req) {
  indexer_.delivering();  // the indexer waits for a pause
  MOX_TRY(begin_write());
  // From here on `p` ends the write (and removes its file) when it goes.
  Prepared p(this, PendingRow{"", req.create_mailbox, req.received, req.flags, 0, 0, {}, false});
  p.row_.quota = req.quota;
  p.row_.auth = req.auth;
  MOX_ASSIGN(CheckedRequest c, check(req));
  p.row_.mailbox = c.mailbox;
  bool ahead = false;
  MOX_ASSIGN(p.row_.id, ids_.take(with_db_, &ahead));
  if (ahead && !maker_.start([this] { make_ahead(); })) {
    ids_.make_ahead(nullptr);  // the last one still ending
  }
  crashpoint("deliver-after-reserve");
  MOX_ASSIGN(p.row_.size, fill_message_file(dir_, p.row_.id, req.prefix, c.src, ids_.dirs()));
  crashpoint("deliver-after-file");
  MOX_ASSIGN(p.row_.forms, delivered_forms(dir_, p.row_.id, p.row_.size, req, kept_));
  MOX_ASSIGN(p.row_.sort, delivered_sort_keys(dir_, p.row_.id, p.row_.size, req));
  return p;
}

Result<Delivered> SharedAccount::commit(Prepared p) {
  PendingRow& row = p.row_;
  commits_.commit(row);
  Result<Delivered> r = std::move(*row.result);
  if (r.ok() || row.committing) p.keep_file_ = true;
  if (r.ok()) {
    crashpoint("deliver-after-commit");
    indexer_.add(r->id);
  } else {
    (void)kept_.take(row.id);  // not to be indexed
  }
  return r;
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
    MutexLock lock(db_mu_);
    (void)store_parsed_batch(db_, chunk);
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
    MutexLock lock(db_mu_);
    st = remove_delivered(db_, dir_, d);
  }
  end_write();
  return st;
}

Result<std::shared_ptr<SharedAccount>> AccountPool::get(const std::string& dir) {
  // Accounts pushed out are closed after the pool's mutex is released: closing
  // one may index its waiting messages, which must not hold up other lookups.
  std::vector<std::shared_ptr<SharedAccount>> dropped;
  MutexLock lock(mu_);
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
