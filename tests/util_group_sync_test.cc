// Tests for lib/util/group_sync.*: concurrent callers share runs, every
// caller is covered by a run that started after it called, and a failed run
// fails the callers it covered.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "util/group_sync.h"

namespace mox {
namespace {

TEST(GroupSync, CallersShareRunsThatStartedAfterThem) {
  GroupSync g;
  std::atomic<int> writes = 0;   // "data written" before calling run()
  std::atomic<int> covered = 0;  // writes a finished run started after
  std::atomic<int> runs = 0, bad = 0;
  auto op = [&]() -> Status {
    int seen = writes.load();
    ++runs;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    covered = seen;  // runs never overlap, so this only grows
    return {};
  };
  constexpr int kThreads = 8, kEach = 20;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        int mine = ++writes;
        if (!g.run(op) || covered.load() < mine) ++bad;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_LT(runs, kThreads * kEach);  // shared
  EXPECT_GT(runs, 0);
}

TEST(GroupSync, AFailedRunFailsTheCallersItCovered) {
  GroupSync g;
  bool fail = true;
  auto op = [&]() -> Status {
    if (fail) return internal_error("fsync: Input/output error");
    return {};
  };
  auto st = g.run(op);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "fsync: Input/output error");
  fail = false;
  EXPECT_TRUE(g.run(op).ok());  // a later caller, covered by a later run
}

}  // namespace
}  // namespace mox
