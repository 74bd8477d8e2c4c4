// libFuzzer target for the LIST pattern matcher (lib/imap/listpattern.h):
// any pattern against any name ends quickly (the matcher is linear in each),
// and for short inputs it agrees with the backtracking definition of RFC 9051
// §6.3.9.
//
// Input: pattern, a NUL byte, name (without a NUL, the whole input is the
// pattern and the name is empty).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../tests/imap_listpattern_reference.h"
#include "imap/listpattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view pat = in.substr(0, nul);
  std::string_view name = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  bool got = mox::imap::list_match(pat, name);
  if (pat.size() <= 10 && name.size() <= 12 &&
      got != mox::imap::testing::reference_list_match(pat, name))
    std::abort();
  return 0;
}
