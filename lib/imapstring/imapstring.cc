#include "imapstring/imapstring.h"

#include <algorithm>

#include "util/utf8.h"

namespace mox::imapstring {

bool quotable(std::string_view s, bool utf8) {
  if (s.size() > kMaxQuoted) return false;
  bool eight_bit = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r' || c == '\n') return false;
    eight_bit = eight_bit || c >= 0x80;
  }
  return !eight_bit || (utf8 && valid_utf8(s));
}

void append_string(std::string& out, std::string_view s, bool utf8) {
  std::string without_nul;
  if (s.find('\0') != std::string_view::npos) {
    std::copy_if(s.begin(), s.end(), std::back_inserter(without_nul),
                 [](char c) { return c != 0; });
    s = without_nul;
  }
  if (!quotable(s, utf8)) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
    return;
  }
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8) {
  if (s) {
    append_string(out, *s, utf8);
  } else {
    out += "NIL";
  }
}

std::string string_form(std::string_view s, bool utf8) {
  std::string out;
  append_string(out, s, utf8);
  return out;
}

std::string nstring_form(std::optional<std::string_view> s, bool utf8) {
  std::string out;
  append_nstring(out, s, utf8);
  return out;
}

}  // namespace mox::imapstring
