// SMTP replies as a client reads them (RFC 5321 §4.2), with enhanced status
// codes (RFC 3463, RFC 2034). I/O-free: bytes in, replies out, so the parser
// is unit-tested and fuzzed with plain buffers (fuzz/smtpclient_reply_fuzz.cc).
// Not thread-safe; one parser per connection.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::smtpclient {

// One complete reply: "250-first\r\n250 last\r\n".
struct Reply {
  int code = 0;          // 200..599 (RFC 5321 §4.2: first digit 2-5)
  std::string enhanced;  // RFC 3463 "class.subject.detail", e.g. "5.1.1"; "" if none
  // The text of each line after "NNN-" / "NNN ", with the enhanced code of
  // that line removed. At least one (possibly empty) line.
  std::vector<std::string> lines;

  bool positive() const { return code >= 200 && code < 400; }  // 2xx, 3xx
  bool temporary() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  // One line for logs and error messages: "550 5.1.1 no such user"; the
  // lines of a multi-line reply are joined with "; ". Control characters
  // from the server are replaced with '?'.
  std::string str() const;
};

// RFC 3463 §2: class "." subject "." detail; class 2, 4 or 5; subject and
// detail 1-3 digits without leading zeros beyond "0". Returns the code if
// `text` starts with one followed by a space or the end, else "".
std::string parse_enhanced_code(std::string_view text);

class ReplyParser {
 public:
  // RFC 5321 §4.5.3.1.5 allows reply lines of 512 octets; servers send
  // longer ones, so we allow more but stay bounded.
  static constexpr size_t kMaxLine = 4096;
  static constexpr size_t kMaxLines = 512;

  // Adds bytes read from the server.
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next complete reply, or nullopt if more bytes are needed. A line
  // ends with CRLF (a bare LF is tolerated). Errors (kSyntax): a line
  // without a 3-digit code in 200..599 followed by ' ', '-' or its end, a
  // continuation line with another code (RFC 5321 §4.2.1), a line longer
  // than kMaxLine or a reply with more than kMaxLines lines. After an error
  // the parser is unusable (the connection should be closed).
  Result<std::optional<Reply>> next();
  // Bytes received but not yet part of a returned reply (e.g. data a server
  // sent after its STARTTLS reply, which must not be trusted: RFC 3207 §5).
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  size_t pos_ = 0;  // start of the first unparsed line in buf_
  Reply partial_;   // lines of the reply read so far
  bool failed_ = false;
};

}  // namespace mox::smtpclient
