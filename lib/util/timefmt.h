// Formatting unix times for people and files.
#pragma once

#include <cstdint>
#include <string>

namespace mox {

// strftime(3) of `t` (unix seconds) in UTC, e.g. "%Y-%m-%dT%H:%M:%SZ".
std::string format_utc(int64_t t, const char* format);
// RFC 3339 in UTC: "2026-11-25T12:00:00Z".
inline std::string rfc3339_utc(int64_t t) { return format_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day
// 1..31): the date parsers' way to seconds without the process's time zone
// (timegm(3) is not in POSIX). H. Hinnant's days_from_civil.
inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace mox
