// libFuzzer target for lib/dmarc: DMARC record parsing and the Public
// Suffix List. Checks invariants, not just crashes:
//   - a record that parses is one that is_dmarc_record() recognizes;
//   - its text() parses back to the same record (the writer round trip);
//   - an organizational domain is a suffix of the normalized name, at a
//     label boundary, and is its own organizational domain.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dmarc/publicsuffix.h"
#include "dmarc/record.h"

namespace {

const mox::dmarc::PublicSuffixList& psl() {
  static const auto* list = [] {
    auto p =
        mox::dmarc::PublicSuffixList::from_text("com\nco.uk\nuk\n*.ck\n!www.ck\n公司.cn\ncn\n");
    if (!p) std::abort();
    return new mox::dmarc::PublicSuffixList(std::move(p).value());
  }();
  return *list;
}

void check_record(std::string_view in) {
  auto r = mox::dmarc::parse_record(in);
  if (!r) return;
  if (!mox::dmarc::is_dmarc_record(in)) std::abort();
  std::string text = r->text();
  auto back = mox::dmarc::parse_record(text);
  if (!back || !(*back == *r) || back->text() != text) std::abort();
}

void check_psl(std::string_view in) {
  std::string name = mox::dmarc::normalize_domain(in);
  std::string org = psl().organizational_domain(in);
  if (name.empty()) {
    if (!org.empty()) std::abort();
    return;
  }
  if (!name.ends_with(org) || org.empty()) std::abort();
  if (org.size() < name.size() && name[name.size() - org.size() - 1] != '.') std::abort();
  if (psl().organizational_domain(org) != org) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_record(in);
  check_psl(in);
  return 0;
}
