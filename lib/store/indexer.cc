#include "store/indexer.h"

#include <algorithm>

namespace mox::store {

void Indexer::delivering() {
  MutexLock lock(mu_);
  last_delivery_ = Clock::now();
}

void Indexer::add(int64_t id) {
  MutexLock lock(mu_);
  if (stop_) return;  // indexed at the next search
  auto now = Clock::now();
  bool was_empty = waiting_.empty();
  waiting_.emplace_back(id, now);
  last_delivery_ = now;
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  // Only a thread with nothing to do waits for this; one waiting for a
  // pause looks at last_delivery_ when it wakes (no wake-up per delivery).
  if (was_empty) cv_.notify_all();
}

size_t Indexer::backlog() {
  MutexLock lock(mu_);
  return waiting_.size();
}

void Indexer::loop() {
  MutexLock lock(mu_);
  while (true) {
    while (!stop_ && waiting_.empty()) cv_.wait(mu_);
    if (stop_) return;  // stop() indexes the rest
    // Deliveries first: start when they pause, or when the oldest message
    // has waited too long (mail that never pauses is indexed all the same).
    auto idle_at = last_delivery_ + kIndexIdle;
    auto due_at = waiting_.front().second + kIndexMaxDelay;
    auto now = Clock::now();
    if (now < idle_at && now < due_at) {
      cv_.wait_until(mu_, std::min(idle_at, due_at));
      continue;
    }
    std::vector<int64_t> ids = take_batch();
    lock.unlock();
    index_(ids);
    lock.lock();
  }
}

std::vector<int64_t> Indexer::take_batch() {
  std::vector<int64_t> ids;
  while (!waiting_.empty() && ids.size() < kIndexBatch) {
    ids.push_back(waiting_.front().first);
    waiting_.pop_front();
  }
  return ids;
}

void Indexer::stop(std::chrono::milliseconds limit) {
  std::thread t;
  {
    MutexLock lock(mu_);
    stop_ = true;
    t = std::move(thread_);  // add() starts none once stop_ is set
  }
  cv_.notify_all();
  if (t.joinable()) t.join();  // after a batch in progress
  auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    std::vector<int64_t> ids;
    {
      MutexLock lock(mu_);
      ids = take_batch();
    }
    if (ids.empty()) return;
    index_(ids);
  }
}

}  // namespace mox::store
