#include "imap/utf7.h"

#include <cstdint>
#include <vector>

#include "util/utf8.h"

namespace mox::imap {
namespace {

// RFC 3501 §5.1.3: modified BASE64 uses ',' instead of '/'.
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable_ascii(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

// Decodes one code point from well-formed UTF-8 at s[i], advancing i.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int n = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
  uint32_t cp = n == 0 ? b : n == 1 ? (b & 0x1f) : n == 2 ? (b & 0x0f) : (b & 0x07);
  for (int k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += n + 1;
  return cp;
}

void flush_shift(std::string& out, const std::vector<uint16_t>& units) {
  out += '&';
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3f];
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3f];
  out += '-';
}

// Decodes the modified BASE64 between "&" and "-" into UTF-8.
Status decode_shift(std::string_view b64, std::string& out) {
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : b64) {
    int v = b64_value(c);
    if (v < 0) return syntax_error("invalid character in modified UTF-7 shift (RFC 3501 §5.1.3)");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<uint16_t>(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  if (nbits >= 6 || bits != 0 || units.empty()) {
    return syntax_error("malformed modified UTF-7 shift (RFC 3501 §5.1.3)");
  }
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t cp = units[i];
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (i + 1 >= units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff) {
        return syntax_error("unpaired surrogate in modified UTF-7");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (units[++i] - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      return syntax_error("unpaired surrogate in modified UTF-7");
    }
    if (printable_ascii(cp)) {
      return syntax_error("modified UTF-7 shift encodes printable US-ASCII (RFC 3501 §5.1.3)");
    }
    append_utf8(out, cp);
  }
  return {};
}

}  // namespace

Result<std::string> utf7_decode(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t i = 0;
  while (i < name.size()) {
    char c = name[i];
    if (!printable_ascii(static_cast<unsigned char>(c))) {
      return syntax_error(
          "mailbox name has a byte outside printable US-ASCII; modified UTF-7 "
          "expected (RFC 3501 §5.1.3)");
    }
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    size_t end = name.find('-', i + 1);
    if (end == std::string_view::npos) return syntax_error("unterminated modified UTF-7 shift");
    if (end == i + 1) {
      out += '&';  // "&-"
    } else {
      MOX_TRY(decode_shift(name.substr(i + 1, end - i - 1), out));
    }
    i = end + 1;
  }
  return out;
}

std::string utf7_encode(std::string_view utf8) {
  std::string clean;
  if (!valid_utf8(utf8)) {
    clean = sanitize_utf8(utf8);
    utf8 = clean;
  }
  std::string out;
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp = next_code_point(utf8, i);
    if (printable_ascii(cp)) {
      if (!units.empty()) {
        flush_shift(out, units);
        units.clear();
      }
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 + (cp >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) flush_shift(out, units);
  return out;
}

}  // namespace mox::imap
