// libFuzzer target: the sconf parser and typed config decoding (lib/config).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto n = mox::config::parse_sconf(in, "fuzz.conf"); n.ok()) {
    (void)mox::config::write_sconf(*n);
  }
  (void)mox::config::parse_dynamic(in, "domains.conf");
  (void)mox::config::parse_static(in, "mox.conf");
  return 0;
}
