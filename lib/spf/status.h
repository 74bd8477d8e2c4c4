// SPF results (RFC 7208 §2.6), named as in Received-SPF (§9.1) and
// Authentication-Results (RFC 8601 §2.7.2).
//
// Pure; safe from any thread.
#pragma once

#include <string_view>

namespace mox::spf {

enum class Status { kNone, kNeutral, kPass, kFail, kSoftfail, kTemperror, kPermerror };

// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror".
std::string_view status_name(Status s);

}  // namespace mox::spf
