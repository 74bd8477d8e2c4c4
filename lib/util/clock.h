// The clock of code whose tests move time (docs/DESIGN.md "Testing"): the
// current time in seconds since the epoch, as a function that a test replaces
// with one of its own.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>

namespace mox {

using Clock = std::function<int64_t()>;

// The system's time moved by `offset_seconds` (cmd/ passes the offset tests
// give in MOX_TEST_TIME_OFFSET).
inline Clock system_clock(int64_t offset_seconds = 0) {
  return [offset_seconds] { return static_cast<int64_t>(std::time(nullptr)) + offset_seconds; };
}

}  // namespace mox
