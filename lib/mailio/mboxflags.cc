#include "mailio/mboxflags.h"

#include <algorithm>
#include <charconv>

#include "util/ascii.h"

namespace mox::mailio {
namespace {

constexpr std::string_view kRemoved[] = {
    "Status",         "X-Status", "X-Keywords", "X-Mozilla-Status", "X-Mozilla-Status2",
    "X-Mozilla-Keys", "X-UID",    "X-IMAP",     "X-IMAPbase"};

void add(std::vector<std::string>& flags, std::string_view f) {
  for (const auto& x : flags)
    if (ascii_iequal(x, f)) return;
  flags.emplace_back(f);
}

void add_letters(std::string_view value, std::string_view letters,
                 const std::vector<std::string_view>& names, std::vector<std::string>& flags) {
  for (char c : value) {
    size_t i = letters.find(c);
    if (i != std::string_view::npos) add(flags, names[i]);
  }
}

void add_words(std::string_view value, std::string_view separators,
               std::vector<std::string>& flags) {
  size_t i = 0;
  while (i < value.size()) {
    size_t j = value.find_first_of(separators, i);
    if (j == std::string_view::npos) j = value.size();
    if (j > i) add(flags, value.substr(i, j - i));
    i = j + 1;
  }
}

void add_mozilla(std::string_view value, std::vector<std::string>& flags) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  unsigned bits = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), bits, 16);
  if (ec != std::errc() || p != value.data() + value.size()) return;
  if (bits & 0x1) add(flags, "\\Seen");
  if (bits & 0x2) add(flags, "\\Answered");
  if (bits & 0x4) add(flags, "\\Flagged");
  if (bits & 0x8) add(flags, "\\Deleted");
  if (bits & 0x1000) add(flags, "$Forwarded");
}

}  // namespace

bool is_mbox_flag_field(std::string_view name) {
  return std::any_of(std::begin(kRemoved), std::end(kRemoved),
                     [&](std::string_view r) { return ascii_iequal(r, name); });
}

void add_field_flags(std::string_view name, std::string_view value,
                     std::vector<std::string>& flags) {
  if (ascii_iequal(name, "Status")) {
    add_letters(value, "R", {"\\Seen"}, flags);
  } else if (ascii_iequal(name, "X-Status")) {
    add_letters(value, "AFTD", {"\\Answered", "\\Flagged", "\\Draft", "\\Deleted"}, flags);
  } else if (ascii_iequal(name, "X-Keywords")) {
    add_words(value, ", \t", flags);
  } else if (ascii_iequal(name, "X-Mozilla-Keys")) {
    add_words(value, " \t", flags);
  } else if (ascii_iequal(name, "X-Mozilla-Status")) {
    add_mozilla(value, flags);
  }
}

}  // namespace mox::mailio
