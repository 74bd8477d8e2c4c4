#include "util/background.h"

#include <utility>

namespace mox {

bool BackgroundTask::start(std::function<void()> fn) {
  MutexLock lock(mu_);
  if (running_ || stopped_) return false;
  if (thread_.joinable()) thread_.join();  // finished: running_ is false
  running_ = true;
  thread_ = std::thread([this, fn = std::move(fn)] {
    fn();
    MutexLock l(mu_);
    running_ = false;
  });
  return true;
}

void BackgroundTask::stop() {
  std::thread t;
  {
    MutexLock lock(mu_);
    stopped_ = true;
    t = std::move(thread_);  // start() makes no other once stopped_
  }
  if (t.joinable()) t.join();
}

}  // namespace mox
