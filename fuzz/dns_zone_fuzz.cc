// libFuzzer target for lib/dns's zone-file parser and resolver. Checks
// invariants, not just crashes: owners are normalized names, RDATA decodes
// as its type, and every owner answers a query without error (but those
// that $SERVFAIL names).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "dns/rdata.h"
#include "dns/zone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mox::dns::ZoneLimits limits;
  limits.max_size = 64 * 1024;
  limits.max_records = 500;
  auto recs = mox::dns::parse_zone(in, "fuzz.test", limits);
  if (!recs) return 0;
  for (const auto& r : *recs) {
    auto n = mox::dns::normalize_name(r.owner.empty() ? "." : r.owner);
    if (!n || *n != r.owner) std::abort();
    if (r.servfail) continue;  // a $SERVFAIL marker: no type, no RDATA
    bool ok = true;
    switch (r.type) {
      case mox::dns::Type::kTxt:
        ok = mox::dns::decode_txt(r.rdata).ok();
        break;
      case mox::dns::Type::kMx:
        ok = mox::dns::decode_mx(r.rdata).ok();
        break;
      case mox::dns::Type::kA:
        ok = mox::dns::decode_a(r.rdata).ok();
        break;
      case mox::dns::Type::kAaaa:
        ok = mox::dns::decode_aaaa(r.rdata).ok();
        break;
      case mox::dns::Type::kTlsa:
        ok = mox::dns::decode_tlsa(r.rdata).ok();
        break;
      case mox::dns::Type::kCname:
      case mox::dns::Type::kPtr:
      case mox::dns::Type::kNs:
        ok = mox::dns::decode_name(r.rdata).ok();
        break;
      case mox::dns::Type::kSoa:
        break;
    }
    if (!ok) std::abort();
  }
  auto z = mox::dns::ZoneResolver::from_text(in);
  if (!z) return 0;
  std::set<std::string> servfail;
  for (const auto& r : *recs)
    if (r.servfail) servfail.insert(r.owner);
  for (const auto& r : *recs) {
    if (r.owner.empty() || servfail.count(r.owner)) continue;
    auto resp = (*z)->query(r.owner, r.type);
    // Only a CNAME chain that loops or runs too long may fail.
    if (!resp && resp.error().kind != mox::ErrorKind::kPermanent) std::abort();
    (void)(*z)->txt(r.owner);
    (void)(*z)->mx(r.owner);
  }
  return 0;
}
