// libFuzzer target: the SMTP client's protocol core (lib/smtpclient): the
// reply parser fed in two chunks, EHLO extension parsing of each reply, and
// the DATA encoder, whose output must never contain an early end of data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtpclient/data.h"
#include "smtpclient/ehlo.h"
#include "smtpclient/reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mox::smtpclient;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t split = size == 0 ? 0 : data[0] % (size + 1);

  ReplyParser p;
  p.feed(in.substr(0, split));
  for (int round = 0; round < 2; round++) {
    while (true) {
      auto r = p.next();
      if (!r.ok() || !r->has_value()) break;
      const Reply& reply = **r;
      if (reply.code < 200 || reply.code > 599 || reply.lines.empty()) std::abort();
      (void)reply.str();
      (void)parse_ehlo(reply);
    }
    p.feed(in.substr(split));
  }

  DataEncoder enc;
  std::string out;
  enc.encode(in.substr(0, split), out);
  enc.encode(in.substr(split), out);
  enc.finish(out);
  // The only "CRLF . CRLF" is the end; no bare CR or LF goes out.
  std::string wire = "\r\n" + out;
  if (wire.find("\r\n.\r\n") != wire.size() - 5) std::abort();
  for (size_t i = 0; i < out.size(); i++) {
    if (out[i] == '\r' && (i + 1 >= out.size() || out[i + 1] != '\n')) std::abort();
    if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) std::abort();
  }
  MessageInfo info;
  scan_message(in, info);
  return 0;
}
