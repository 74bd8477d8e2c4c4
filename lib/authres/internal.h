// Character classes shared by the writer and the reader of
// Authentication-Results (lib/authres/header.h).
#pragma once

#include <string_view>

namespace mox::authres {

// RFC 2045 §5.1 token: CHAR except SPACE, CTLs and tspecials; 8-bit bytes
// are allowed as in RFC 6532 §3.2 (UTF-8 in header values).
inline bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;
  if (u <= 0x20 || u == 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

inline bool is_ctl(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

}  // namespace mox::authres
