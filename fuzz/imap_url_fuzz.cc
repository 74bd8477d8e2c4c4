// libFuzzer target for the IMAP URL parser of CATENATE (lib/imap/imapurl.h,
// RFC 5092): any input ends in a URL or an error, and a parsed URL names a
// UID (RFC 5092 §6: nz-number) and keeps PARTIAL's length only with an
// offset.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "imap/imapurl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto u = mox::imap::parse_imap_url(in);
  if (u.ok()) {
    if (u->uid == 0) std::abort();
    if (u->partial_length && !u->partial_offset) std::abort();
  }
  return 0;
}
