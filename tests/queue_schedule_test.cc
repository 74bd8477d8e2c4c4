// Tests for lib/queue/schedule.h: the retry schedule of mox-queue(8) "Delivery"
// (7.5 min doubling to 8 h, a few seconds of jitter, 8 attempts).
#include <gtest/gtest.h>

#include <set>

#include "queue/schedule.h"

namespace mox::queue {
namespace {

TEST(QueueSchedule, BackoffDoublesFromSevenAndAHalfMinutes) {
  const int64_t want[] = {450, 900, 1800, 3600, 7200, 14400, 28800};
  for (int64_t n = 1; n <= 7; ++n) {
    EXPECT_EQ(backoff_seconds(n), want[n - 1]) << "after failed attempt " << n;
  }
  EXPECT_EQ(backoff_seconds(0), 0);
  EXPECT_EQ(backoff_seconds(-3), 0);
  // Large counts do not overflow: capped at 2^19 × 450 s.
  EXPECT_EQ(backoff_seconds(20), int64_t{450} << 19);
  EXPECT_EQ(backoff_seconds(1000), backoff_seconds(20));
}

TEST(QueueSchedule, JitterIsZeroToFiveSeconds) {
  for (int64_t n = 1; n <= 7; ++n) {
    std::set<int64_t> seen;
    for (int i = 0; i < 400; ++i) {
      int64_t j = backoff_with_jitter(n) - backoff_seconds(n);
      ASSERT_GE(j, 0) << "attempt " << n;
      ASSERT_LE(j, 5) << "attempt " << n;
      seen.insert(j);
    }
    // 400 draws of 6 equally likely values: all appear (the chance that one
    // does not is about 6 × (5/6)^400, i.e. never).
    EXPECT_EQ(seen.size(), 6u) << "attempt " << n;
  }
}

TEST(QueueSchedule, TotalRetrySeconds) {
  // Attempts 1..8: seven waits, 450 + 900 + ... + 28800 = 57150 s (15 h 52.5 m).
  EXPECT_EQ(total_retry_seconds(8), 57150);
  EXPECT_EQ(total_retry_seconds(kDefaultMaxAttempts), 57150);
  EXPECT_EQ(total_retry_seconds(1), 0);
  EXPECT_EQ(total_retry_seconds(2), 450);
  EXPECT_EQ(total_retry_seconds(6), 450 + 900 + 1800 + 3600 + 7200);
  EXPECT_EQ(total_retry_seconds(0), 0);
}

}  // namespace
}  // namespace mox::queue
