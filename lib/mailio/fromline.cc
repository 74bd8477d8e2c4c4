#include "mailio/fromline.h"

#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "util/ascii.h"
#include "util/timefmt.h"

namespace mox::mailio {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct NamedZone {
  std::string_view name;
  int minutes;
};
// RFC 5322 §4.3 (obs-zone), and the UTC names.
constexpr NamedZone kZones[] = {{"UT", 0},        {"UTC", 0},       {"GMT", 0},
                                {"Z", 0},         {"EST", -5 * 60}, {"EDT", -4 * 60},
                                {"CST", -6 * 60}, {"CDT", -5 * 60}, {"MST", -7 * 60},
                                {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60}};

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') j++;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

int month_of(std::string_view t) {
  for (size_t i = 0; i < kMonths.size(); i++)
    if (ascii_iequal(t, kMonths[i])) return static_cast<int>(i) + 1;
  return 0;
}

bool is_day(std::string_view t) {
  for (auto d : kDays)
    if (ascii_iequal(t, d)) return true;
  return false;
}

bool number(std::string_view t, int64_t& v) {
  if (t.empty() || t.size() > 9) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && p == t.data() + t.size();
}

// "hh:mm:ss" or "hh:mm" into seconds of the day.
bool clock(std::string_view t, int64_t& secs) {
  int64_t h = 0, m = 0, s = 0;
  size_t c1 = t.find(':');
  if (c1 == std::string_view::npos || !number(t.substr(0, c1), h)) return false;
  std::string_view rest = t.substr(c1 + 1);
  size_t c2 = rest.find(':');
  if (!number(rest.substr(0, c2), m)) return false;
  if (c2 != std::string_view::npos && !number(rest.substr(c2 + 1), s)) return false;
  if (h > 23 || m > 59 || s > 60) return false;
  secs = h * 3600 + m * 60 + s;
  return true;
}

// A zone token in minutes east of UTC.
bool zone(std::string_view t, int& minutes) {
  if (t.size() == 5 && (t[0] == '+' || t[0] == '-')) {
    int64_t v = 0;
    if (!number(t.substr(1), v) || v % 100 > 59) return false;
    minutes = static_cast<int>((v / 100) * 60 + v % 100) * (t[0] == '-' ? -1 : 1);
    return true;
  }
  for (const auto& z : kZones)
    if (ascii_iequal(t, z.name)) {
      minutes = z.minutes;
      return true;
    }
  // Other names (CET, ...): letters only, taken as UTC.
  if (t.empty() || t.size() > 5) return false;
  for (char c : t)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  minutes = 0;
  return true;
}

// Tokens from a month name on: "Mon dd hh:mm[:ss] [zone] yyyy [zone]".
int64_t parse_from(const std::vector<std::string_view>& t, size_t i) {
  int month = month_of(t[i]);
  int64_t day = 0, secs = 0, year = -1;
  if (month == 0 || i + 3 >= t.size() || !number(t[i + 1], day) || !clock(t[i + 2], secs)) return 0;
  int minutes = 0;
  for (size_t k = i + 3; k < t.size() && k < i + 5; k++) {
    int64_t v = 0;
    if (year < 0 && t[k].size() == 4 && number(t[k], v)) {
      year = v;
    } else if (!zone(t[k], minutes)) {
      break;
    }
  }
  if (year < 1970 || year > 9999 || day < 1 || day > 31) return 0;
  int64_t t0 =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      secs - static_cast<int64_t>(minutes) * 60;
  return t0 > 0 ? t0 : 0;
}

}  // namespace

int64_t from_line_time(std::string_view line) {
  if (line.substr(0, 5) != "From ") return 0;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  auto t = tokens(line.substr(5));
  // The sender is one token (maybe missing); the date follows. Look for a
  // weekday followed by a month, or a month followed by a day number.
  for (size_t i = 0; i < t.size(); i++) {
    if (is_day(t[i]) && i + 1 < t.size() && month_of(t[i + 1]) != 0) return parse_from(t, i + 1);
    if (month_of(t[i]) != 0 && i + 1 < t.size() && !t[i + 1].empty() && t[i + 1][0] >= '0' &&
        t[i + 1][0] <= '9')
      if (int64_t v = parse_from(t, i); v != 0) return v;
  }
  return 0;
}

}  // namespace mox::mailio
