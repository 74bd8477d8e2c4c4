#include "message/date.h"

#include <strings.h>

#include <cctype>
#include <ctime>
#include <string>

#include "util/timefmt.h"

namespace mox::message {
namespace {

std::string_view next_token(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == ',')) ++i;
  size_t j = i;
  while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != ',') ++j;
  std::string_view t = s.substr(i, j - i);
  s.remove_prefix(j);
  return t;
}

bool number(std::string_view t, int& out) {
  if (t.empty() || t.size() > 4) return false;
  out = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "[Ddd,] D Mon YYYY" at the start of `s`, which is left after it.
std::optional<int64_t> parse_day(std::string_view& s) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string_view t = next_token(s);
  if (!t.empty() && std::isalpha(static_cast<unsigned char>(t[0]))) t = next_token(s);  // day name
  int day = 0, year = 0;
  if (!number(t, day) || day < 1 || day > 31) return std::nullopt;
  std::string mon(next_token(s));
  if (mon.size() < 3) return std::nullopt;
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (std::tolower(static_cast<unsigned char>(mon[0])) == kMonths[i][0] &&
        std::tolower(static_cast<unsigned char>(mon[1])) == kMonths[i][1] &&
        std::tolower(static_cast<unsigned char>(mon[2])) == kMonths[i][2]) {
      month = i + 1;
    }
  }
  if (month == 0) return std::nullopt;
  std::string_view ys = next_token(s);
  if (!number(ys, year)) return std::nullopt;
  if (ys.size() == 2)
    year += year < 50 ? 2000 : 1900;  // RFC 5322 §4.3
  else if (ys.size() == 3)
    year += 1900;
  return days_from_civil(year, month, static_cast<unsigned>(day));
}

// "HH:MM[:SS]" as seconds of the day.
std::optional<int64_t> parse_time(std::string_view t) {
  int part[3] = {0, 0, 0};
  size_t n = 0;
  while (n < 3) {
    size_t colon = t.find(':');
    std::string_view p = t.substr(0, colon);
    if (p.size() > 2 || !number(p, part[n])) return std::nullopt;
    ++n;
    if (colon == std::string_view::npos) break;
    t.remove_prefix(colon + 1);
  }
  if (n < 2 || part[0] > 23 || part[1] > 59 || part[2] > 60) return std::nullopt;
  return part[0] * 3600 + part[1] * 60 + part[2];
}

// The zone's offset from UTC in seconds: "+hhmm", "-hhmm" or an obsolete
// name (RFC 5322 §4.3); 0 for anything else.
int64_t zone_offset(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
    int hh = 0, mm = 0;
    if (number(z.substr(1, 2), hh) && number(z.substr(3, 2), mm)) {
      int64_t off = hh * 3600 + mm * 60;
      return z[0] == '-' ? -off : off;
    }
    return 0;
  }
  static constexpr struct {
    const char* name;
    int hours;
  } kZones[] = {{"EDT", -4}, {"EST", -5}, {"CDT", -5}, {"CST", -6},
                {"MDT", -6}, {"MST", -7}, {"PDT", -7}, {"PST", -8}};
  for (const auto& k : kZones) {
    if (z.size() == 3 && strncasecmp(z.data(), k.name, 3) == 0) return k.hours * 3600;
  }
  return 0;
}

}  // namespace

std::optional<int64_t> date_header_days(std::string_view value) {
  std::string_view s = value;
  return parse_day(s);
}

std::optional<int64_t> date_header_time(std::string_view value) {
  std::string_view s = value;
  std::optional<int64_t> day = parse_day(s);
  if (!day) return std::nullopt;
  std::optional<int64_t> secs = parse_time(next_token(s));
  if (!secs) return std::nullopt;
  return *day * 86400 + *secs - zone_offset(next_token(s));
}

std::string format_date(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
  return buf;
}

}  // namespace mox::message
