#include "imap/date.h"

#include <strings.h>

#include <cstdio>

#include "util/timefmt.h"

namespace mox::imap {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[*i].
bool digits(std::string_view s, size_t& i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  i += n;
  return true;
}

// "Feb-2024" after the day and its "-".
bool month_year(std::string_view s, size_t& i, Date& d) {
  if (i + 4 > s.size() || s[i + 3] != '-') return false;
  d.month = 0;
  for (int m = 0; m < 12; ++m) {
    if (strncasecmp(s.data() + i, kMonths[m], 3) == 0) d.month = m + 1;
  }
  i += 4;
  return d.month != 0 && digits(s, i, 4, d.year);
}

bool day_ok(const Date& d) { return d.day >= 1 && d.day <= days_in_month(d.year, d.month); }

void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
}

}  // namespace

int64_t Date::days_since_epoch() const {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

int64_t DateTime::unix_time() const {
  return date.days_since_epoch() * 86400 + hour * 3600 + minute * 60 + second -
         static_cast<int64_t>(zone_minutes) * 60;
}

Result<Date> parse_date(std::string_view s) {
  Date d;
  size_t i = 0;
  bool ok = false;
  if (digits(s, i, 2, d.day) && i < s.size() && s[i] == '-') {
    ok = true;
  } else {
    i = 0;
    ok = digits(s, i, 1, d.day) && i < s.size() && s[i] == '-';
  }
  ++i;
  if (!ok || !month_year(s, i, d) || i != s.size()) {
    return syntax_error("invalid date, expected e.g. 1-Feb-2024 (RFC 9051 §9 date)");
  }
  if (!day_ok(d)) return syntax_error("invalid date: no such day in that month");
  return d;
}

Result<DateTime> parse_date_time(std::string_view s) {
  DateTime t;
  size_t i = 0;
  if (!s.empty() && s[0] == ' ') ++i;  // date-day-fixed = (SP DIGIT) / 2DIGIT
  size_t dash = s.find('-', i);
  bool ok = dash != std::string_view::npos && (dash - i == 1 || dash - i == 2) &&
            digits(s, i, dash - i, t.date.day) && s[i] == '-';
  ++i;
  ok = ok && month_year(s, i, t.date) && i < s.size() && s[i++] == ' ';
  ok = ok && digits(s, i, 2, t.hour) && i < s.size() && s[i++] == ':';
  ok = ok && digits(s, i, 2, t.minute) && i < s.size() && s[i++] == ':';
  ok = ok && digits(s, i, 2, t.second) && i < s.size() && s[i++] == ' ';
  int zone = 0;
  char sign = i < s.size() ? s[i++] : 0;
  ok = ok && (sign == '+' || sign == '-') && digits(s, i, 4, zone) && i == s.size();
  if (!ok) {
    return syntax_error(
        "invalid date-time, expected e.g. \"05-Feb-2024 13:05:00 +0100\" (RFC 9051 §9)");
  }
  if (!day_ok(t.date) || t.hour > 23 || t.minute > 59 || t.second > 60 || zone % 100 > 59) {
    return syntax_error("invalid date-time: out of range");
  }
  t.zone_minutes = (zone / 100 * 60 + zone % 100) * (sign == '-' ? -1 : 1);
  return t;
}

std::string format_date_time(int64_t unix_time, int zone_minutes) {
  int64_t local = unix_time + static_cast<int64_t>(zone_minutes) * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  int y = 0, m = 0, d = 0;
  civil_from_days(days, y, m, d);
  int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%02d-%s-%04d %02d:%02d:%02d %c%02d%02d\"", d, kMonths[m - 1], y,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

}  // namespace mox::imap
