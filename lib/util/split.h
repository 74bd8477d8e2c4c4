// Splitting text at a separator byte, for space-separated lists (IMAP
// keywords in a store row, words of a header field being folded).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mox {

// The pieces of `s` between `sep` bytes, without empty ones:
// split_nonempty("a  b ", ' ') is {"a", "b"}.
inline std::vector<std::string> split_nonempty(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace mox
