// libFuzzer target for lib/dkim: tag-list parsing, canonicalization and
// verification of every DKIM-Signature field in the input against fixed keys
// (RFC 8463 Appendix A.2, served by a zone-file resolver). Checks
// invariants, not just crashes:
//   - tag offsets lie inside the input;
//   - streaming canonicalization in two chunks equals the whole;
//   - relaxed bodies keep no WSP before a CRLF and no TAB;
//   - a message we sign with the fixed Ed25519 key verifies (pass).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/keys.h"
#include "dkim/canon.h"
#include "dkim/sign.h"
#include "dkim/tags.h"
#include "dkim/verify.h"
#include "dns/zone.h"
#include "util/encoding.h"

namespace {

constexpr std::string_view kZone =
    "brisbane._domainkey.football.example.com. TXT "
    "\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"
    "test._domainkey.football.example.com. TXT ( "
    "\"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR\"\n"
    "\"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC\"\n"
    "\"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3\"\n"
    "\"Ip3G+2kryOTIKT+l/K4w3QIDAQAB\" )\n";

struct Fixture {
  std::unique_ptr<mox::dns::ZoneResolver> zone;
  mox::crypto::PKeyPtr ed;
  Fixture() {
    auto z = mox::dns::ZoneResolver::from_text(kZone);
    auto seed = mox::base64_decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=");
    if (!z || !seed) std::abort();
    auto k = mox::crypto::ed25519_from_seed(*seed);
    if (!k) std::abort();
    zone = std::move(z).value();
    ed = std::move(k).value();
  }
};

void check_tags(std::string_view in) {
  auto tags = mox::dkim::parse_tag_list(in);
  if (!tags) return;
  for (const auto& t : *tags) {
    if (t.eq >= in.size() || t.end > in.size() || t.eq >= t.end + 1) std::abort();
  }
}

void check_canon(std::string_view in) {
  for (bool relaxed : {false, true}) {
    std::string whole = mox::dkim::canonical_body(in, relaxed);
    mox::dkim::BodyCanonicalizer c(relaxed);
    std::string parts;
    c.update(in.substr(0, in.size() / 2), parts);
    c.update(in.substr(in.size() / 2), parts);
    c.finish(parts);
    if (parts != whole) std::abort();
    if (relaxed &&
        (whole.find('\t') != std::string::npos || whole.find(" \r\n") != std::string::npos)) {
      std::abort();
    }
  }
}

// Our own signature over the input must verify, when the input is a header
// our signer accepts and that prepending a field cannot change.
void check_round_trip(Fixture& f, std::string_view in) {
  auto h = mox::message::parse_header(in);
  if (!h || !h->defects.empty() || in.empty() || in[0] == ' ' || in[0] == '\t') return;
  mox::dkim::SelectorKey s;
  s.selector = "brisbane";
  s.key = f.ed.get();
  s.header_relaxed = in.size() % 2 == 0;
  s.body_relaxed = in.size() % 3 == 0;
  mox::dkim::SignRequest r;
  r.domain = "football.example.com";
  r.selectors = {s};
  r.message = mox::dkim::MessageRef{in};
  auto sig = mox::dkim::sign(r);
  if (!sig) return;
  std::string msg = *sig + std::string(in);
  auto res = mox::dkim::verify(*f.zone, mox::dkim::MessageRef{msg});
  if (!res || res->empty() || (*res)[0].status != mox::dkim::Status::kPass) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  if (size > 64 * 1024) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_tags(in);
  check_canon(in);
  mox::dkim::VerifyOptions o;
  o.max_signatures = 4;
  auto res = mox::dkim::verify(*fixture.zone, mox::dkim::MessageRef{in}, o);
  if (res) {
    for (const auto& r : *res) {
      if (r.status != mox::dkim::Status::kPass && r.reason.empty()) std::abort();
    }
  }
  check_round_trip(fixture, in);
  return 0;
}
