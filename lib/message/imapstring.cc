#include "message/fetch.h"

namespace mox::message {

// RFC 9051 §4.3: quoted = DQUOTE *QUOTED-CHAR DQUOTE, where QUOTED-CHAR is a
// TEXT-CHAR (any 7-bit CHAR but CR and LF) with '"' and '\' escaped; 8-bit
// text in a quoted string needs UTF8=ACCEPT, so it goes in a literal, which
// both revisions take (literal = "{" number "}" CRLF *CHAR8).
std::string imap_string(std::string_view s) {
  bool quotable = true;
  size_t nuls = 0;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) {
      ++nuls;
    } else if (c >= 0x80 || c == '\r' || c == '\n') {
      quotable = false;
    }
  }
  std::string out;
  if (quotable) {
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
      if (c == 0) continue;
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    return out;
  }
  out = "{" + std::to_string(s.size() - nuls) + "}\r\n";
  out.reserve(out.size() + s.size());
  for (char c : s) {
    if (c != 0) out += c;
  }
  return out;
}

std::string imap_nstring(std::optional<std::string_view> s) {
  return s ? imap_string(*s) : std::string("NIL");
}

}  // namespace mox::message
