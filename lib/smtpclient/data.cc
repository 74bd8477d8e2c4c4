#include "smtpclient/data.h"

namespace mox::smtpclient {

void scan_message(std::string_view chunk, MessageInfo& info) {
  info.size += chunk.size();
  for (char c : chunk) {
    // A bare LF or CR is sent as CRLF: one more byte.
    if ((c == '\n' && !info.last_cr) || (c != '\n' && info.last_cr)) info.size++;
    info.last_cr = c == '\r';
    if (static_cast<unsigned char>(c) >= 0x80) info.eight_bit = true;
  }
}

void DataEncoder::encode(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 64 + 8);
  for (char c : chunk) {
    if (c == '\n') {
      // The LF of a CRLF whose CRLF was already written when the CR came.
      if (!cr_) out += "\r\n";
      cr_ = false;
      line_start_ = true;
      continue;
    }
    if (c == '\r') {
      out += "\r\n";
      cr_ = true;
      line_start_ = true;
      continue;
    }
    cr_ = false;
    if (line_start_ && c == '.') out += '.';
    line_start_ = false;
    out += c;
  }
}

void DataEncoder::finish(std::string& out) {
  if (!line_start_) out += "\r\n";
  out += ".\r\n";
  line_start_ = true;
  cr_ = false;
}

}  // namespace mox::smtpclient
