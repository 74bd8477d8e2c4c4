// Tests for lib/util/taskpool.h: results arrive, a slow task holds no
// other, idle threads are reused and end after their idle time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "util/taskpool.h"

namespace mox {
namespace {

using namespace std::chrono_literals;

TEST(TaskPool, RunsTasksAndGivesResults) {
  TaskPool pool;
  std::vector<std::future<int>> fs;
  for (int i = 0; i < 50; ++i) fs.push_back(pool.run([i] { return i * i; }));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(fs[static_cast<size_t>(i)].get(), i * i);
}

// A task that blocks does not hold the ones posted after it.
TEST(TaskPool, SlowTaskHoldsNoOther) {
  TaskPool pool;
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto slow = pool.run([gate] {
    gate.wait();
    return 1;
  });
  auto fast = pool.run([] { return 2; });
  EXPECT_EQ(fast.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fast.get(), 2);
  EXPECT_EQ(slow.wait_for(0ms), std::future_status::timeout);
  release.set_value();
  EXPECT_EQ(slow.get(), 1);
}

// Tasks one after the other run on the same (idle) thread. (The pause lets
// the thread that just finished a task wait for the next one: a task posted
// while it is still on its way back starts a second thread.)
TEST(TaskPool, ReusesIdleThreads) {
  TaskPool pool;
  std::set<std::thread::id> ids;
  for (int i = 0; i < 20; ++i) {
    ids.insert(pool.run([] { return std::this_thread::get_id(); }).get());
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LE(ids.size(), 3u);
}

TEST(TaskPool, IdleThreadsEndAndNewOnesStart) {
  TaskPool pool(20ms);
  auto first = pool.run([] { return std::this_thread::get_id(); }).get();
  std::this_thread::sleep_for(200ms);
  // The first thread ended; the pool starts another and still works.
  auto second = pool.run([] { return std::this_thread::get_id(); });
  EXPECT_EQ(second.wait_for(5s), std::future_status::ready);
  (void)first;
  // The destructor waits for running tasks.
  std::atomic<bool> done{false};
  {
    TaskPool p2;
    (void)p2.run([&done] {
      std::this_thread::sleep_for(50ms);
      done = true;
      return 0;
    });
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace mox
