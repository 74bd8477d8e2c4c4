// When the next delivery attempt of a queued message is due (mox-queue(8)
// "Delivery").
//
// Attempt 1 is immediate; after the n-th temporary failure the next attempt
// is 7.5 min × 2^(n−1) later (7.5m, 15m, 30m, 1h, 2h, 4h, 8h), with a few
// seconds of jitter so that messages queued together do not retry in lock
// step. After the 5th failure the sender gets a "delayed" DSN; after the last
// allowed attempt (8 by default, as in mox's code) the message fails with a
// DSN.
#pragma once

#include <cstdint>

namespace mox::queue {

inline constexpr int64_t kDefaultMaxAttempts = 8;
inline constexpr int64_t kDelayedDsnAfter = 5;  // failed attempts before the "delayed" DSN

// Seconds from the n-th failed attempt (n >= 1) to the next, without jitter.
int64_t backoff_seconds(int64_t failed_attempts);

// backoff_seconds() plus 0..5 s of random jitter.
int64_t backoff_with_jitter(int64_t failed_attempts);

// Seconds from the first attempt until the last one, i.e. how long a message
// that keeps failing temporarily stays queued (for "will retry until").
int64_t total_retry_seconds(int64_t max_attempts);

}  // namespace mox::queue
