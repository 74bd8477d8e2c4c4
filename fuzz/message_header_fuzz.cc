// libFuzzer target for lib/message: the header parser, address lists and
// RFC 2047 decoding on every field. Checks invariants, not just crashes:
// field positions lie inside the header section, and display names are
// valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "message/address.h"
#include "message/header.h"
#include "message/rfc2047.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mox::message::HeaderLimits limits;
  limits.max_size = 64 * 1024;
  limits.max_fields = 200;
  auto h = mox::message::parse_header(in, limits);
  if (!h) return 0;
  if (h->size > in.size()) std::abort();
  for (const auto& f : h->fields) {
    if (f.offset + f.length > h->size) std::abort();
    if (in.substr(f.offset, f.name.size()) != f.name) std::abort();
    std::string decoded = mox::message::decode_encoded_words(f.value);
    (void)decoded;
    auto list = mox::message::parse_address_list(f.value);
    if (!list) continue;
    for (const auto& a : *list) {
      if (!mox::valid_utf8(a.name) || !mox::valid_utf8(a.group)) std::abort();
      if (a.localpart.empty() && a.domain.empty()) std::abort();
      (void)a.addr_spec();
    }
  }
  return 0;
}
