// The message body as DATA sends it (RFC 5321 §4.1.1.4, §4.5.2): CRLF line
// ends and dot-stuffing, streamed chunk by chunk. I/O-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mox::smtpclient {

// What the transaction needs to know about a message before sending it.
struct MessageInfo {
  // Bytes with CRLF line ends, as DataEncoder sends them without its
  // dot-stuffing: the SIZE= value (RFC 1870 §3).
  uint64_t size = 0;
  bool eight_bit = false;  // a byte >= 0x80: BODY=8BITMIME (RFC 6152 §3)
  bool last_cr = false;    // scanning state: the previous chunk ended in CR
};
// Adds a chunk of the message to `info`.
void scan_message(std::string_view chunk, MessageInfo& info);

// Encodes message bytes for DATA. Every line end of the input, CRLF, a bare
// LF or a bare CR, is sent as CRLF: RFC 5321 §2.3.8 allows CR and LF only
// together, and a bare CR or LF that a receiver took for a line end would
// let a "." line end the data early (SMTP smuggling, CVE-2023-51764). A line
// starting with "." gets another "." (§4.5.2). Not thread-safe.
class DataEncoder {
 public:
  // Appends the encoding of `chunk` to `out`.
  void encode(std::string_view chunk, std::string& out);
  // Appends the end of the data: a CRLF if the message did not end with a
  // line end, then ".\r\n" (§4.1.1.4). The encoder is then reset.
  void finish(std::string& out);

 private:
  bool line_start_ = true;  // the next byte starts a line
  bool cr_ = false;         // the previous byte was a CR (its CRLF is out)
};

}  // namespace mox::smtpclient
