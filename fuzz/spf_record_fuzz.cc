// libFuzzer target for lib/spf/record.h: parse_record on any input; a
// record that parses must parse again, to the same terms, from its
// canonical text (Directive::text() and name=value modifiers), and the
// canonical text must be a fixed point.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spf/record.h"

namespace {

std::string canonical(const mox::spf::Record& r) {
  std::string out = "v=spf1";
  for (const auto& d : r.directives) out += " " + d.text();
  if (r.redirect) out += " redirect=" + *r.redirect;
  if (r.exp) out += " exp=" + *r.exp;
  for (const auto& [n, v] : r.other_modifiers) out += " " + n + "=" + v;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = mox::spf::parse_record(in);
  if (!r) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  if (!mox::spf::is_spf_record(in)) std::abort();
  std::string text = canonical(*r);
  auto again = mox::spf::parse_record(text);
  if (!again) std::abort();
  if (again->directives != r->directives || again->redirect != r->redirect ||
      again->exp != r->exp || again->other_modifiers != r->other_modifiers) {
    std::abort();
  }
  if (canonical(*again) != text) std::abort();
  return 0;
}
