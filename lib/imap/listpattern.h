// LIST/LSUB mailbox-name patterns (RFC 9051 §6.3.9, RFC 3501 §6.3.8):
// "*" matches any run of characters, "%" any run without the hierarchy
// separator "/". Matching is linear in the name's length times the pattern's
// (a set-of-positions walk, no backtracking), so no pattern can make LIST
// exponential; patterns longer than kMaxListPattern are refused before any
// matching.
#pragma once

#include <cstddef>
#include <string_view>

namespace mox::imap {

inline constexpr size_t kMaxListPattern = 1024;

// True if `name` matches `pattern` (exact bytes; INBOX folding is the
// caller's). O(|pattern| × |name|) time, O(|pattern|) memory.
bool list_match(std::string_view pattern, std::string_view name);

}  // namespace mox::imap
