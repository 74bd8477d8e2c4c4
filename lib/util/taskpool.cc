#include "util/taskpool.h"

#include <algorithm>

namespace mox {

TaskPool::~TaskPool() {
  std::list<std::thread> threads;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    threads = std::move(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

void TaskPool::join_finished() {
  for (std::thread::id id : finished_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [id](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();  // it has returned from worker() or is about to
    threads_.erase(it);
  }
  finished_.clear();
}

void TaskPool::post(std::function<void()> task) {
  MutexLock lock(mu_);
  join_finished();
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size()) {
    cv_.notify_one();
  } else {
    threads_.emplace_back([this] { worker(); });
  }
}

void TaskPool::worker() {
  MutexLock lock(mu_);
  while (true) {
    if (!tasks_.empty()) {
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    ++idle_;
    bool woken = true;
    auto deadline = std::chrono::steady_clock::now() + idle_timeout_;
    while (woken && !stopping_ && tasks_.empty()) woken = cv_.wait_until(mu_, deadline);
    woken = stopping_ || !tasks_.empty();
    --idle_;
    if (!woken) {
      finished_.push_back(std::this_thread::get_id());
      return;
    }
  }
}

}  // namespace mox
