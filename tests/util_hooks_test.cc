// Tests for the test seams of lib/util (docs/DESIGN.md "Testing"): the crash
// hook of util/fs.h and the clock of util/clock.h.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <string>
#include <vector>

#include "util/clock.h"
#include "util/fs.h"

namespace mox {
namespace {

TEST(CrashHook, NoHookDoesNothing) {
  set_crash_hook(nullptr);
  crashpoint("deliver-after-write");  // returns
  SUCCEED();
}

TEST(CrashHook, InstalledHookSeesEveryPoint) {
  std::vector<std::string> seen;
  set_crash_hook([&seen](std::string_view p) { seen.emplace_back(p); });
  crashpoint("a");
  crashpoint("b");
  set_crash_hook(nullptr);
  crashpoint("c");
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

// kill_at kills only at its own point, with SIGKILL.
TEST(CrashHook, KillAtKillsAtItsPoint) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    set_crash_hook(kill_at("second"));
    crashpoint("first");
    crashpoint("second");
    ::_exit(3);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(Clock, SystemClockWithOffset) {
  int64_t before = std::time(nullptr);
  int64_t moved = system_clock(3600)();
  int64_t now = system_clock()();
  int64_t after = std::time(nullptr);
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
  EXPECT_GE(moved, before + 3600);
  EXPECT_LE(moved, after + 3600);
}

}  // namespace
}  // namespace mox
