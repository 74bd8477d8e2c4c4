// Threads for short tasks that must not wait for one another: run() hands
// a task to an idle thread of the pool, or starts a new thread when none is
// idle, so a task never queues behind a slow one (the checks of incoming
// mail, mailauth/mailauth.h: one sender's slow DNS must not hold another's
// message). Starting a thread costs tens of µs on a small virtual machine,
// a good part of the checks of one message; a thread that finished a task
// waits `idle_timeout` for the next one before it ends.
//
// Thread-safe. The destructor waits for the tasks that run.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <thread>
#include <utility>

#include "util/mutex.h"

namespace mox {

class TaskPool {
 public:
  explicit TaskPool(std::chrono::milliseconds idle_timeout = std::chrono::seconds(30))
      : idle_timeout_(idle_timeout) {}
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Runs `f` on a thread of the pool; its result (or exception) arrives in
  // the future.
  template <class F>
  auto run(F f) -> std::future<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto fut = task->get_future();
    post([task] { (*task)(); });
    return fut;
  }

 private:
  void post(std::function<void()> task) EXCLUDES(mu_);
  void worker() EXCLUDES(mu_);
  void join_finished() REQUIRES(mu_);

  std::chrono::milliseconds idle_timeout_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  size_t idle_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::list<std::thread> threads_ GUARDED_BY(mu_);
  // Ended after their idle time, to be joined.
  std::list<std::thread::id> finished_ GUARDED_BY(mu_);
};

}  // namespace mox
