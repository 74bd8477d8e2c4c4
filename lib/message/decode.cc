#include "message/decode.h"

#include <cstdint>

#include "util/encoding.h"

namespace mox::message {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// One line of quoted-printable text (without its line end) decoded into
// `out`; returns false when it ends in a soft line break.
bool decode_qp_line(std::string_view line, std::string& out) {
  while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);  // rule 3
  bool soft = !line.empty() && line.back() == '=';
  if (soft) line.remove_suffix(1);
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '=' && i + 2 < line.size()) {
      if (int b = hex_byte(line, i + 1); b >= 0) {
        out += static_cast<char>(b);
        i += 2;
        continue;
      }
    }
    out += line[i];
  }
  return !soft;
}

}  // namespace

std::string decode_base64_lenient(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') {  // padding: the group ends here, its partial octet is dropped
      acc = 0;
      bits = 0;
      continue;
    }
    int v = base64_digit(c);
    if (v < 0) continue;
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t lf = text.find('\n', pos);
    size_t end = lf == std::string_view::npos ? text.size() : lf;
    bool crlf = end > pos && text[end - 1] == '\r';
    std::string_view line = text.substr(pos, end - pos - (crlf ? 1 : 0));
    bool hard = decode_qp_line(line, out);
    if (hard && lf != std::string_view::npos) out += crlf ? "\r\n" : "\n";
    pos = lf == std::string_view::npos ? text.size() : lf + 1;
  }
  return out;
}

bool known_transfer_encoding(std::string_view e) {
  return e == "7bit" || e == "8bit" || e == "binary" || e == "base64" || e == "quoted-printable";
}

Result<std::string> decode_transfer(std::string_view body, std::string_view e) {
  if (e == "base64") return decode_base64_lenient(body);
  if (e == "quoted-printable") return decode_quoted_printable(body);
  if (e == "7bit" || e == "8bit" || e == "binary") return std::string(body);
  return Error{ErrorKind::kPermanent,
               "unknown content-transfer-encoding \"" + std::string(e) + "\""};
}

}  // namespace mox::message
