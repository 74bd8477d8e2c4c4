// Rows of many threads committed in groups (SharedAccount, store/shared.h):
// a thread whose row is ready queues it; the one that finds no commit in
// progress commits every row waiting, its own included, in one transaction
// (one WAL fsync), and wakes the others when it is done. Durability is that
// of the commit function: commit() returns only after the row's group was
// committed (or failed).
//
// Thread-safe.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "store/deliver_internal.h"
#include "util/mutex.h"

namespace mox::store {

class GroupCommit {
 public:
  // `commit_batch` commits rows and sets each one's result (commit_rows()
  // with the database held); `after` runs in the committing thread after the
  // others were woken (e.g. a change notification).
  using Batch = std::function<void(const std::vector<PendingRow*>&)>;
  GroupCommit(Batch commit_batch, std::function<void()> after)
      : commit_batch_(std::move(commit_batch)), after_(std::move(after)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `row` and returns once a group with it was committed: its
  // result and `committing` are set then.
  void commit(PendingRow& row) EXCLUDES(mu_);

 private:
  const Batch commit_batch_;
  const std::function<void()> after_;
  Mutex mu_;
  CondVar done_;  // a group was committed
  std::vector<PendingRow*> queue_ GUARDED_BY(mu_);
  bool committing_ GUARDED_BY(mu_) = false;
};

}  // namespace mox::store
