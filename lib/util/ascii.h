// ASCII case mapping for protocol keywords (SMTP verbs and EHLO keywords,
// SASL mechanism names): bytes outside a-z / A-Z, including UTF-8, are left
// as they are.
#pragma once

#include <string>
#include <string_view>

namespace mox {

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace mox
