// libFuzzer target: SMTP command line and path parsing (lib/smtp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto c = mox::smtp::split_command(in);
  (void)mox::smtp::parse_path_args(c.args, "FROM:");
  (void)mox::smtp::parse_path_args(c.args, "TO:");
  (void)mox::smtp::valid_ehlo_argument(c.args);
  (void)mox::smtp::Address::parse(in);
  return 0;
}
