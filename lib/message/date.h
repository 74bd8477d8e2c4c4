// The date of an RFC 5322 Date header (§3.3, with the obsolete forms of §4.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mox::message {

// Days since 1970-01-01 of the date part ("[Ddd,] D Mon YYYY ..."), ignoring
// time and zone, as IMAP's SENT* search keys need (RFC 9051 §6.4.4).
std::optional<int64_t> date_header_days(std::string_view value);

// The instant of a Date header as seconds since the epoch: the date, the
// time (seconds optional) and the zone (numeric, or one of the obsolete
// names of §4.3; an unknown name counts as +0000), as SORT by DATE and
// THREAD compare sent dates (RFC 5256 §2.2). nullopt when date or time is
// missing or invalid.
std::optional<int64_t> date_header_time(std::string_view value);

// `t` as an RFC 5322 §3.3 date-time in local time, e.g.
// "Wed, 25 Nov 2026 16:00:07 +0000".
std::string format_date(int64_t t);

}  // namespace mox::message
