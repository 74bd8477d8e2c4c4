#include "util/group_sync.h"

namespace mox {

Status GroupSync::run(const std::function<Status()>& op) {
  std::unique_lock lock(mu_);
  // A run in progress started before this call; the next one will not have.
  const uint64_t want = started_ + 1;
  while (finished_ < want) {
    if (running_) {
      cv_.wait(lock);
      continue;
    }
    running_ = true;
    uint64_t gen = ++started_;
    lock.unlock();
    Status st = op();
    lock.lock();
    running_ = false;
    finished_ = gen;
    if (!st) {
      failed_ = gen;
      failure_ = st.error().message;
    }
    cv_.notify_all();
  }
  if (failed_ >= want) return internal_error(failure_);
  return {};
}

}  // namespace mox
