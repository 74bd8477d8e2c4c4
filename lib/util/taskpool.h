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
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

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
  void post(std::function<void()> task);
  void worker();
  void join_finished();  // with mu_ held

  std::chrono::milliseconds idle_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::list<std::thread> threads_;
  std::list<std::thread::id> finished_;  // ended after their idle time, to be joined
};

}  // namespace mox
