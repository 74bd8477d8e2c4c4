// The definition of LIST pattern matching (RFC 9051 §6.3.9) as a plain
// backtracking matcher, exponential in the number of wildcards: a reference
// for the linear one (lib/imap/listpattern.h) in tests and fuzzing, for small
// inputs only.
#pragma once

#include <string_view>

namespace mox::imap::testing {

inline bool reference_list_match(std::string_view p, std::string_view n) {
  if (p.empty()) return n.empty();
  if (p[0] == '*' || p[0] == '%') {
    for (size_t i = 0; i <= n.size(); ++i) {
      if (reference_list_match(p.substr(1), n.substr(i))) return true;
      if (i < n.size() && p[0] == '%' && n[i] == '/') return false;
    }
    return false;
  }
  return !n.empty() && p[0] == n[0] && reference_list_match(p.substr(1), n.substr(1));
}

}  // namespace mox::imap::testing
