#include "queue/schedule.h"

#include <sodium.h>

namespace mox::queue {

int64_t backoff_seconds(int64_t failed_attempts) {
  if (failed_attempts < 1) return 0;
  if (failed_attempts > 20) failed_attempts = 20;
  // 7.5 minutes = 450 s, doubled per earlier failure.
  return int64_t{450} << (failed_attempts - 1);
}

int64_t backoff_with_jitter(int64_t failed_attempts) {
  return backoff_seconds(failed_attempts) + static_cast<int64_t>(randombytes_uniform(6));
}

int64_t total_retry_seconds(int64_t max_attempts) {
  int64_t total = 0;
  for (int64_t n = 1; n < max_attempts; ++n) total += backoff_seconds(n);
  return total;
}

}  // namespace mox::queue
