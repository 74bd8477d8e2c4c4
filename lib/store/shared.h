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
//   deliveries pause for kIndexIdle, at the latest kIndexMaxDelay after a
//   delivery, in batches: the row is committed with its FETCH forms, and
//   the full-text index, which costs more than the rest of a delivery, does
//   not hold up the reply. Searches index whatever is still waiting first.
// Durability is that of deliver() (store/deliver.h): a row is committed only
// after its file and directory entry are fsynced, and commit() returns only
// after the row's COMMIT (synchronous=FULL) is done.
//
// A delivery to several accounts first prepares every file, then commits
// each account's row, and takes committed rows back (remove()) when a later
// one fails, so that a retry after a temporary error delivers no duplicates.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/account.h"
#include "store/deliver.h"
#include "store/deliver_internal.h"
#include "store/msgfile.h"
#include "store/kept.h"

namespace mox::store {

// One task at a time in a thread of its own (SharedAccount's checkpoints and
// blocks of message files made ahead). Thread-safe.
class BackgroundTask {
 public:
  BackgroundTask() = default;
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;
  ~BackgroundTask() { stop(); }
  // Runs `fn` in a new thread, unless a task is still running or stop() was
  // called: false then.
  bool start(std::function<void()> fn);
  // Waits for the running task; no task starts after this.
  void stop();

 private:
  std::mutex mu_;
  std::thread thread_;
  bool running_ = false, stopped_ = false;
};

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
  bool stale();

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

  // When the indexer starts: deliveries paused this long, or the oldest
  // message waiting this long.
  static constexpr std::chrono::milliseconds kIndexIdle{20};
  static constexpr std::chrono::seconds kIndexMaxDelay{10};
  static constexpr std::chrono::seconds kIndexOnClose{2};
  // Messages committed and not indexed yet by this object. Thread-safe.
  size_t index_backlog();

 private:
  explicit SharedAccount(AccountStore st);
  Result<int64_t> reserve_id();
  // Reserves `n` IDs and makes their files: [first, end).
  Result<std::pair<int64_t, int64_t>> make_block(int64_t n);
  // make_block() into ready_, with id_mu_ (held by `lock`) released meanwhile.
  Status fill_ready(std::unique_lock<std::mutex>& lock);
  void make_ahead();  // the next block, in maker_
  static int wal_hook(void* self, sqlite3* db, const char* name, int pages);
  void checkpoint();  // in checkpointer_
  // While deliveries are in flight: the account's lock and msgfiles.lock
  // (store/msgfile.h), both shared.
  Status begin_write();
  void end_write();
  void abandon(Prepared& p);
  // The indexer: waits for committed messages and indexes them (index_batch).
  void index_loop();
  void index_batch(const std::vector<int64_t>& ids);
  std::vector<int64_t> take_index_batch();  // the oldest waiting; index_mu_ held
  void to_index(int64_t id);

  std::mutex db_mu_;  // store_.db() is used by one thread at a time
  AccountStore store_;
  const std::string dir_;
  std::mutex id_mu_;  // taken before db_mu_, never after
  std::condition_variable id_cv_;
  int64_t next_id_ = 0, end_id_ = 0;          // IDs being handed out, files made
  int64_t ready_first_ = 0, ready_end_ = 0;  // the next block, files made
  bool making_ = false;                      // a block is being made
  int64_t handed_out_ = 0;                   // IDs handed out by this object
  int64_t block_;                            // size of the next block

  BackgroundTask maker_, checkpointer_;

  std::mutex files_mu_;
  int writing_ = 0;
  bool stale_ = false;
  std::optional<FileLock> files_lock_;
  MessageDirs dirs_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingRow*> queue_;
  bool committing_ = false;

  using Clock = std::chrono::steady_clock;
  std::mutex index_mu_;
  std::condition_variable index_cv_;
  std::deque<std::pair<int64_t, Clock::time_point>> to_index_;  // ID, committed at
  Clock::time_point last_delivery_{};
  bool index_stop_ = false;
  KeptMessages kept_;    // of messages waiting for the indexer (store/kept.h)
  std::thread indexer_;  // started with the first message to index
};

// The accounts this process has open, shared by its sessions: a session
// keeps the SharedAccounts it delivered to until it ends, and the pool keeps
// the `keep` accounts used last open besides (an idle SharedAccount holds no
// lock, only its database and a few files made in advance), so that the next
// connection does not open them again. A stale account is replaced by a
// freshly opened one. Thread-safe.
class AccountPool {
 public:
  explicit AccountPool(size_t keep = 16) : keep_(keep) {}
  Result<std::shared_ptr<SharedAccount>> get(const std::string& dir);

 private:
  // Moves `acc` to the front of recent_; what falls out goes to `dropped`.
  void touch(const std::shared_ptr<SharedAccount>& acc,
             std::vector<std::shared_ptr<SharedAccount>>& dropped);

  std::mutex mu_;
  const size_t keep_;
  std::map<std::string, std::weak_ptr<SharedAccount>> open_;
  std::vector<std::shared_ptr<SharedAccount>> recent_;  // last used first
};

}  // namespace mox::store
