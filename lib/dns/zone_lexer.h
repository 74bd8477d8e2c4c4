// Internal to lib/dns: splits zone-file text into entries (one record or
// directive each) of tokens, per RFC 1035 §5.1: white space separates,
// ";" starts a comment, parentheses join lines, "..." quotes, "\X" and
// "\DDD" escape.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dns::zone_internal {

struct Token {
  std::string text;      // escapes decoded, quotes removed
  bool quoted = false;   // was "..."
  bool escaped = false;  // held a backslash escape
};

struct Entry {
  size_t line = 0;           // 1-based line where the entry starts
  bool blank_owner = false;  // the line started with white space
  std::vector<Token> tokens;
};

Result<std::vector<Entry>> lex_zone(std::string_view text);

}  // namespace mox::dns::zone_internal
