// Tests for lib/util/mutex.h: the lock excludes other threads, a MutexLock
// released and taken again works, CondVar wakes a waiter and its timed waits
// time out. (The annotations are checked by clang builds, -Wthread-safety.)
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "util/mutex.h"

namespace mox {
namespace {

using namespace std::chrono_literals;

struct Counter {
  Mutex mu;
  CondVar cv;
  int n GUARDED_BY(mu) = 0;
  bool ready GUARDED_BY(mu) = false;
};

TEST(Mutex, ExcludesOtherThreads) {
  Counter c;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) {
        MutexLock lock(c.mu);
        c.n = c.n + 1;  // not atomic: lost updates without the lock
      }
    });
  }
  for (auto& t : ts) t.join();
  MutexLock lock(c.mu);
  EXPECT_EQ(c.n, 40000);
}

TEST(Mutex, TryLockAndRelock) {
  Counter c;
  {
    MutexLock lock(c.mu);
    std::thread([&c] { EXPECT_FALSE(c.mu.try_lock()); }).join();
    lock.unlock();
    std::thread([&c] {
      if (c.mu.try_lock()) {
        c.n = 1;
        c.mu.unlock();
      }
    }).join();
    lock.lock();
    EXPECT_EQ(c.n, 1);
  }  // released by the destructor
  if (c.mu.try_lock()) {
    c.mu.unlock();
  } else {
    ADD_FAILURE() << "still locked";
  }
}

TEST(CondVar, WakesAWaiter) {
  Counter c;
  std::thread waiter([&c] {
    MutexLock lock(c.mu);
    while (!c.ready) c.cv.wait(c.mu);
    c.n = 2;
  });
  std::this_thread::sleep_for(20ms);
  {
    MutexLock lock(c.mu);
    c.ready = true;
  }
  c.cv.notify_all();
  waiter.join();
  MutexLock lock(c.mu);
  EXPECT_EQ(c.n, 2);
}

TEST(CondVar, TimedWaitsTimeOutAndWake) {
  Counter c;
  MutexLock lock(c.mu);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.cv.wait_for(c.mu, 30ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);
  std::thread notifier([&c] {
    MutexLock l(c.mu);  // waits until the wait below releases the mutex
    c.ready = true;
    c.cv.notify_one();
  });
  bool woken = true;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!c.ready && woken) woken = c.cv.wait_until(c.mu, deadline);
  EXPECT_TRUE(woken);
  EXPECT_TRUE(c.ready);
  lock.unlock();
  notifier.join();
}

}  // namespace
}  // namespace mox
