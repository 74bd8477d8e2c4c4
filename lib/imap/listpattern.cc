#include "imap/listpattern.h"

#include <algorithm>
#include <vector>

namespace mox::imap {
namespace {

bool wildcard(char c) { return c == '*' || c == '%'; }

// Adds position i and every position reachable from it without consuming a
// character: a wildcard may match the empty string.
void reach(std::string_view pat, std::vector<char>& set, size_t i) {
  while (true) {
    if (set[i]) return;  // reached before, with everything after it
    set[i] = 1;
    if (i == pat.size() || !wildcard(pat[i])) return;
    ++i;
  }
}

}  // namespace

bool list_match(std::string_view pat, std::string_view name) {
  // set[i]: the pattern's first i characters match the name read so far.
  std::vector<char> cur(pat.size() + 1, 0), next(pat.size() + 1, 0);
  reach(pat, cur, 0);
  for (char c : name) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < pat.size(); ++i) {
      if (!cur[i]) continue;
      char p = pat[i];
      if (p == '*' || (p == '%' && c != '/')) {
        reach(pat, next, i);  // the wildcard takes c and may take more
        any = true;
      } else if (p == c) {
        reach(pat, next, i + 1);
        any = true;
      }
    }
    if (!any) return false;
    cur.swap(next);
  }
  return cur[pat.size()] != 0;
}

}  // namespace mox::imap
