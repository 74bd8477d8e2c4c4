// IMAP dates (RFC 9051 §9 date, date-time): "1-Feb-2024" in SEARCH and
// "01-Feb-2024 13:05:00 +0100" for APPEND and INTERNALDATE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::imap {

struct Date {
  int year = 1970;  // 4 digits
  int month = 1;    // 1..12
  int day = 1;      // 1..days in month
  bool operator==(const Date&) const = default;
  // Days since 1970-01-01 (proleptic Gregorian calendar).
  int64_t days_since_epoch() const;
};

struct DateTime {
  Date date;
  int hour = 0, minute = 0, second = 0;
  int zone_minutes = 0;  // east of UTC: "+0130" is 90, "-0700" is -420
  bool operator==(const DateTime&) const = default;
  // Seconds since the epoch, UTC.
  int64_t unix_time() const;
};

// date-text = date-day "-" date-month "-" date-year; date-day = 1*2DIGIT,
// month names case-insensitive (RFC 9051 §9). The surrounding DQUOTEs of the
// quoted form are removed by the caller. The day must exist in that month.
Result<Date> parse_date(std::string_view text);
// date-time without the DQUOTEs: date-day-fixed "-" date-month "-" date-year
// SP time SP zone. A day of 1 digit without the leading space is accepted too.
Result<DateTime> parse_date_time(std::string_view text);
// The RFC 9051 §9 date-time form, with DQUOTEs: "\"05-Feb-2024 13:05:00 +0100\""
// for `unix_time` shown in the time zone `zone_minutes` east of UTC.
std::string format_date_time(int64_t unix_time, int zone_minutes);

}  // namespace mox::imap
