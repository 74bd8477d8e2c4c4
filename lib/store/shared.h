// One account opened once per process and delivered to by many threads at
// once (mox-smtpd in Accept=no mode: a thread per connection). Concurrent
// deliveries share the work that makes them durable:
// - the account's database stays open, with its write lock taken by one
//   thread of the process at a time instead of by every thread sleeping in
//   SQLite's busy handler;
// - rows are committed in groups: whoever finds no commit in progress
//   commits every row waiting (one transaction, one WAL fsync) and wakes the
//   others (group commit);
// - message files are made in blocks in advance, with one directory fsync
//   per block (store/msgfile.h precreate_message_files), so that a delivery
//   fsyncs only its file before its row is committed;
// - msg/<dir> directories are made durable once per process;
// - the search text (store/parsed.h) is indexed by a thread of its own once
//   deliveries pause for Indexer::kIndexIdle, at the latest kIndexMaxDelay
//   after a delivery, in batches (store/indexer.h): the row is committed
//   with its FETCH forms, and the full-text index, which costs more than the
//   rest of a delivery, does not hold up the reply. Searches index whatever
//   is still waiting first.
// Durability is that of deliver() (store/deliver.h): a row is committed only
// after its file and directory entry are fsynced, and commit() returns only
// after the row's COMMIT (synchronous=FULL) is done.
//
// A SharedAccount composes one class per concern, each with its own mutex:
// IdBlocks (store/idblocks.h: IDs and files made ahead), GroupCommit
// (store/groupcommit.h), Indexer (store/indexer.h) and Checkpointer
// (store/checkpointer.h); it keeps the database (db_mu_) and the account's
// locks while writing (files_mu_) itself. Each mutex is released before
// another is taken, but for one nesting: a commit, with db_mu_ held, may
// start a checkpoint (Checkpointer's task mutex, taken after db_mu_); and
// AccountPool's mutex is taken before files_mu_ (stale()). The lock order:
// docs/DESIGN.md "Threads sharing an account".
//
// A delivery to several accounts first prepares every file, then commits
// each account's row, and takes committed rows back (remove()) when a later
// one fails, so that a retry after a temporary error delivers no duplicates.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/account.h"
#include "store/checkpointer.h"
#include "store/deliver.h"
#include "store/deliver_internal.h"
#include "store/groupcommit.h"
#include "store/idblocks.h"
#include "store/indexer.h"
#include "store/kept.h"
#include "store/msgfile.h"
#include "util/background.h"
#include "util/mutex.h"

namespace mox::store {

class SharedAccount {
 public:
  // Opens (creating if needed) the account directory `dir`. The database
  // stays open, but the account's shared lock is held only while a delivery
  // or remove() is in progress, as by a process that opens the account for
  // each delivery: an idle SharedAccount does not hold up `mox-config
  // account rm` (docs/DESIGN.md "Shared state between processes").
  static Result<std::shared_ptr<SharedAccount>> open(const std::string& dir);

  // Removes the files made in advance and not used; indexes the search text
  // still waiting, for at most kIndexOnClose (the rest is indexed at the
  // next search).
  ~SharedAccount();
  SharedAccount(const SharedAccount&) = delete;
  SharedAccount& operator=(const SharedAccount&) = delete;

  const std::string& dir() const { return dir_; }
  // True once the account directory was found removed (or replaced) when
  // taking the lock again: every call fails with kTemporary; open anew.
  bool stale() EXCLUDES(files_mu_);

  // A message whose file is durable under its final name and whose row is
  // not committed yet. Destroying it uncommitted removes the file. Move-only.
  class Prepared {
   public:
    Prepared(Prepared&& o) noexcept;
    Prepared& operator=(Prepared&&) = delete;
    Prepared(const Prepared&) = delete;
    ~Prepared();
    int64_t id() const { return row_.id; }

   private:
    friend class SharedAccount;
    Prepared(SharedAccount* acc, PendingRow row) : acc_(acc), row_(std::move(row)) {}
    SharedAccount* acc_;
    PendingRow row_;
    bool keep_file_ = false;
  };

  // Checks the request, reserves an ID, writes and fsyncs the file and its
  // directory entry. Thread-safe. Errors as deliver().
  Result<Prepared> prepare(const DeliverRequest& req);
  // Commits the row (grouped with concurrent commits) and wakes IDLE
  // sessions. Thread-safe.
  Result<Delivered> commit(Prepared p);
  // prepare() and commit().
  Result<Delivered> deliver(const DeliverRequest& req);
  // undeliver() (store/deliver.h). Thread-safe.
  Status remove(const Delivered& d);

  // How long closing indexes what still waits (Indexer).
  static constexpr std::chrono::seconds kIndexOnClose{2};
  // Messages committed and not indexed yet by this object. Thread-safe.
  size_t index_backlog() { return indexer_.backlog(); }

 private:
  explicit SharedAccount(AccountStore st);
  Result<int64_t> with_db(const std::function<Result<int64_t>(db::Db&)>& use) EXCLUDES(db_mu_);
  Result<CheckedRequest> check(const DeliverRequest& req) EXCLUDES(db_mu_);
  // While deliveries are in flight: the account's lock and msgfiles.lock
  // (store/msgfile.h), both shared.
  Status begin_write() EXCLUDES(files_mu_);
  void end_write() EXCLUDES(files_mu_);
  void abandon(Prepared& p);
  void make_ahead();  // the next block of IDs and files, in maker_
  // Indexer's batch: parses the files, stores their search text.
  void index_batch(const std::vector<int64_t>& ids);

  AccountStore store_;  // its lock: under files_mu_; its database: db_
  const std::string dir_;
  Mutex db_mu_;
  db::Db& db_ GUARDED_BY(db_mu_);  // used by one thread at a time

  Mutex files_mu_;
  int writing_ GUARDED_BY(files_mu_) = 0;
  bool stale_ GUARDED_BY(files_mu_) = false;
  std::optional<FileLock> files_lock_ GUARDED_BY(files_mu_);

  const IdBlocks::WithDb with_db_;  // with_db()
  IdBlocks ids_;
  BackgroundTask maker_;
  GroupCommit commits_;
  KeptMessages kept_;  // parsed at delivery, for indexer_ (store/kept.h)
  Indexer indexer_;
  Checkpointer checkpointer_;
};

// The accounts this process has open, shared by its sessions: a session
// keeps the SharedAccounts it delivered to until it ends, and the pool keeps
// the `keep` accounts used last open besides (an idle SharedAccount holds no
// lock, only its database and a few files made in advance), so that the next
// connection does not open them again. A stale account is replaced by a
// freshly opened one. Thread-safe. Its mutex is taken before a
// SharedAccount's (stale()), never after.
class AccountPool {
 public:
  explicit AccountPool(size_t keep = 16) : keep_(keep) {}
  Result<std::shared_ptr<SharedAccount>> get(const std::string& dir) EXCLUDES(mu_);

 private:
  // Moves `acc` to the front of recent_; what falls out goes to `dropped`.
  void touch(const std::shared_ptr<SharedAccount>& acc,
             std::vector<std::shared_ptr<SharedAccount>>& dropped) REQUIRES(mu_);

  Mutex mu_;
  const size_t keep_;
  std::map<std::string, std::weak_ptr<SharedAccount>> open_ GUARDED_BY(mu_);
  std::vector<std::shared_ptr<SharedAccount>> recent_ GUARDED_BY(mu_);  // last used first
};

}  // namespace mox::store
