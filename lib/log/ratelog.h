// A log line that repeats under load (descriptor shortage, refused
// connections, a full disk) is written at most once per interval, with the
// number of occurrences left out since the last line as `suppressed=N`, so a
// flood is visible without flooding the journal.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "log/log.h"
#include "util/mutex.h"

namespace mox {

class RateLog {
 public:
  explicit RateLog(std::chrono::milliseconds interval = std::chrono::seconds(10))
      : interval_(interval) {}
  // An error line (log/log.h), or only a count within the interval.
  void error(std::string_view msg, log::Fields fields = {}) EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_ GUARDED_BY(mu_){};
  bool logged_ GUARDED_BY(mu_) = false;
  int64_t suppressed_ GUARDED_BY(mu_) = 0;
};

}  // namespace mox
