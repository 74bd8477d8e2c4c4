#include "store/idblocks.h"

#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <utility>

namespace mox::store {

// How message IDs are allocated, and why.
//
// The ID names the file, and the file must be durable before the row is
// committed, so the ID is needed before the row exists. It is taken from the
// counter Account.NextMessageID in its own short BEGIN IMMEDIATE transaction,
// committed before the file is written:
// - Concurrent deliveries, in any number of processes, each get a distinct ID
//   (the write lock serialises only this one UPDATE and its commit), then
//   write and fsync their files in parallel, and take the write lock again
//   only to insert the row. Nobody waits for another's 100 MiB copy or fsync.
// - The counter only grows, and its commit is durable (synchronous=FULL)
//   before the file exists, so an ID is never handed out twice, even after a
//   crash that leaves the file as an orphan: IDs are never reused.
// - A crash leaves a gap in the IDs; nothing depends on them being dense.
// The alternatives were worse: INSERT first and take the rowid would need
// the file written inside the transaction, holding the account's write lock
// across fsyncs; and an AUTOINCREMENT ID whose transaction rolled back is
// handed out again, to a name that may already hold an orphan file.
// A trigger (migration 2) refuses rows whose ID was not reserved this way.
// IDs are reserved in blocks, so that a connection delivering many messages
// commits once per message, not twice (bench/). Unused IDs of a block are
// gaps, like those a crash leaves.
Result<int64_t> reserve_message_ids(db::Db& db, int64_t n) {
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  MOX_ASSIGN(db::Stmt q, db.prepare("UPDATE Account SET NextMessageID = NextMessageID + ? "
                                    "RETURNING NextMessageID - ?"));
  q.bind(1, n).bind(2, n);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  int64_t id = q.col_int(0);
  q = db::Stmt();  // finish the statement before COMMIT
  MOX_TRY(tx.commit());
  return id;
}

Result<std::pair<int64_t, int64_t>> IdBlocks::make_block(const WithDb& with_db, int64_t n) {
  MOX_ASSIGN(int64_t first, with_db([n](db::Db& db) { return reserve_message_ids(db, n); }));
  if (opts_.make_files) MOX_TRY(precreate_message_files(dir_, first, n, dirs_));
  return std::pair{first, first + n};
}

void IdBlocks::ready(std::pair<int64_t, int64_t> block) {
  std::tie(ready_first_, ready_end_) = block;
  block_ = std::min(block_ * 2, opts_.max_block);
}

Result<int64_t> IdBlocks::take(const WithDb& with_db, bool* ahead) {
  MutexLock lock(mu_);
  while (next_ >= end_) {
    if (ready_first_ < ready_end_) {
      next_ = std::exchange(ready_first_, 0);
      end_ = std::exchange(ready_end_, 0);
    } else if (making_) {
      made_.wait(mu_);
    } else {
      // Made by this thread, without the mutex: others may wait for it.
      making_ = true;
      int64_t n = block_;
      lock.unlock();
      auto b = make_block(with_db, n);
      lock.lock();
      making_ = false;
      made_.notify_all();
      if (!b) return std::move(b).error();
      ready(*b);
    }
  }
  int64_t id = next_++;
  ++handed_out_;
  // Once the process has shown that it delivers many messages, the next
  // block is made when half of this one is used, in a thread of its own,
  // rather than by the first delivery that finds no ID left while all others
  // wait for it. A short-lived process (a connection under inetd) makes its
  // few small blocks as it goes, and leaves few files unused.
  if (ahead && opts_.make_ahead_after > 0 && handed_out_ >= opts_.make_ahead_after && !making_ &&
      ready_first_ >= ready_end_ && (end_ - next_) * 2 < block_) {
    making_ = true;
    *ahead = true;
  }
  return id;
}

void IdBlocks::make_ahead(const WithDb* with_db) {
  int64_t n;
  {
    MutexLock lock(mu_);
    n = block_;
  }
  auto b =
      with_db ? make_block(*with_db, n) : Result<std::pair<int64_t, int64_t>>(internal_error(""));
  MutexLock lock(mu_);
  making_ = false;
  made_.notify_all();
  if (b) ready(*b);
}

void IdBlocks::discard() {
  if (!opts_.make_files) return;
  MutexLock lock(mu_);
  for (int64_t id = next_; id < end_; ++id) ::unlink(message_file_path(dir_, id).c_str());
  for (int64_t id = ready_first_; id < ready_end_; ++id) {
    ::unlink(message_file_path(dir_, id).c_str());
  }
  next_ = end_ = ready_first_ = ready_end_ = 0;
}

}  // namespace mox::store
