// One task at a time in a thread of its own, for work that must not hold up
// its caller and need not run twice at once (store/shared.h: the WAL
// checkpoints of an account, its blocks of message files made ahead).
//
// Thread-safe. The destructor waits for a task that runs.
#pragma once

#include <functional>
#include <thread>

#include "util/mutex.h"

namespace mox {

class BackgroundTask {
 public:
  BackgroundTask() = default;
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;
  ~BackgroundTask() { stop(); }
  // Runs `fn` in a new thread, unless a task is still running or stop() was
  // called: false then.
  bool start(std::function<void()> fn) EXCLUDES(mu_);
  // Waits for the running task; no task starts after this.
  void stop() EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::thread thread_ GUARDED_BY(mu_);
  bool running_ GUARDED_BY(mu_) = false;
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace mox
