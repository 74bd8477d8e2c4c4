// Formatting unix times for people and files.
#pragma once

#include <cstdint>
#include <string>

namespace mox {

// strftime(3) of `t` (unix seconds) in UTC, e.g. "%Y-%m-%dT%H:%M:%SZ".
std::string format_utc(int64_t t, const char* format);
// RFC 3339 in UTC: "2026-11-25T12:00:00Z".
inline std::string rfc3339_utc(int64_t t) { return format_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace mox
