// libFuzzer target for lib/spf/macro.h: expand_macros on any spec, as a
// domain-spec and as an explanation, with IPv4 and IPv6 clients and a
// zone-file resolver for %{p}. Checks invariants, not just crashes:
//   - the syntax check and the expansion agree on what is valid;
//   - a domain-spec expands to at most 253 octets (RFC 7208 §7.3);
//   - an explanation expands to a bounded size (each byte of the spec
//     gives at most three times the longest macro value).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "dns/zone.h"
#include "spf/macro.h"

namespace {

struct Fixture {
  std::unique_ptr<mox::dns::ZoneResolver> zone;
  Fixture() {
    auto z = mox::dns::ZoneResolver::from_text(
        "3.2.0.192.in-addr.arpa. PTR mx.example.com.\n"
        "mx.example.com. A 192.0.2.3\n");
    if (!z) std::abort();
    zone = std::move(z).value();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  if (size > 2048) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mox::spf::MacroContext c;
  c.sender = "strong-bad@email.example.com";
  c.local = "strong-bad";
  c.sender_domain = "email.example.com";
  c.domain = "email.example.com";
  c.ip = size % 2 == 0 ? "192.0.2.3" : "2001:db8::cb01";
  c.helo = "mx.example.org";
  c.receiver = "mx.example.net";
  c.timestamp = 1700000000;
  c.resolver = f.zone.get();
  for (bool exp : {false, true}) {
    bool valid = mox::spf::check_macro_string(in, exp).ok();
    auto out = mox::spf::expand_macros(in, c, exp);
    if (out && !valid) std::abort();
    if (!out && valid && (exp || out.error().message.find("253") == std::string::npos))
      std::abort();
    if (!out) continue;
    if (!exp && out->size() > mox::spf::kMaxDomainLength) std::abort();
    if (exp && out->size() > 3 * 72 * (size + 1)) std::abort();  // 72: the %{i} of IPv6
  }
  return 0;
}
