#include "store/groupcommit.h"

namespace mox::store {

void GroupCommit::commit(PendingRow& row) {
  MutexLock lock(mu_);
  queue_.push_back(&row);
  // Not row.result: the committing thread writes it without mu_.
  while (!row.done) {
    if (committing_) {
      done_.wait(mu_);
      continue;
    }
    // Group commit: this thread commits every row waiting, its own included.
    committing_ = true;
    std::vector<PendingRow*> batch = std::exchange(queue_, {});
    lock.unlock();
    commit_batch_(batch);
    lock.lock();
    for (PendingRow* r : batch) r->done = true;
    committing_ = false;
    done_.notify_all();
    lock.unlock();
    // After waking the others, so that the next group need not wait for it.
    after_();
    lock.lock();
  }
}

}  // namespace mox::store
