// A log line that repeats under load (descriptor shortage, refused
// connections) is written at most once per interval, with the number of
// occurrences left out since the last line, so a flood of refusals is visible
// without flooding the journal.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace mox {

class RateLog {
 public:
  explicit RateLog(std::chrono::milliseconds interval = std::chrono::seconds(10))
      : interval_(interval) {}
  // Writes `line` to stderr, with " (N more since last logged)" when
  // lines were left out; or only counts it, within the interval.
  void log(const std::string& line);

 private:
  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_ = false;
  int64_t suppressed_ = 0;
};

}  // namespace mox
