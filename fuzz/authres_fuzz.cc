// libFuzzer target for lib/authres/header.h. Checks invariants, not just
// crashes:
//   - parse() never crashes, and authserv_id() agrees with it;
//   - format() of a parsed header parses back to the same authserv-id and
//     methods (the writer round trip);
//   - scrub() of a header section removes only whole fields: its output
//     is never longer than its input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "authres/header.h"

namespace {

void check_round_trip(std::string_view in) {
  auto h = mox::authres::parse(in);
  if (!h) return;
  if (mox::authres::authserv_id(in) != h->authserv_id) std::abort();
  std::string field = mox::authres::format(*h);
  constexpr std::string_view kName = "Authentication-Results:";
  if (!field.starts_with(kName) || !field.ends_with("\r\n")) std::abort();
  std::string_view value = std::string_view(field).substr(kName.size());
  value.remove_suffix(2);
  auto back = mox::authres::parse(value);
  if (!back || back->authserv_id != h->authserv_id || back->methods != h->methods) std::abort();
}

void check_scrub(std::string_view in) {
  mox::authres::Scrubbed s = mox::authres::scrub(in, "mail.mox.example");
  if (s.header.size() > in.size() || (s.count == 0 && s.header != in)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_round_trip(in);
  check_scrub(in);
  return 0;
}
