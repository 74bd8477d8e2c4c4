#include "message/charset.h"

#include <strings.h>

#include <cstdint>

#include "util/utf8.h"

namespace mox::message {

enum class CharsetKind { kUtf8, kAscii, kLatin1, kLatin9, kWindows1252 };

struct Charset {
  CharsetKind kind;
  const char* name;
};

namespace {

constexpr Charset kUtf8{CharsetKind::kUtf8, "UTF-8"};
constexpr Charset kAscii{CharsetKind::kAscii, "US-ASCII"};
constexpr Charset kLatin1{CharsetKind::kLatin1, "ISO-8859-1"};
constexpr Charset kLatin9{CharsetKind::kLatin9, "ISO-8859-15"};
constexpr Charset kWindows1252{CharsetKind::kWindows1252, "windows-1252"};

struct Alias {
  const char* name;
  const Charset* charset;
};

// Names from the IANA character sets registry, and common misspellings.
constexpr Alias kAliases[] = {
    {"utf-8", &kUtf8},
    {"utf8", &kUtf8},
    {"us-ascii", &kAscii},
    {"ascii", &kAscii},
    {"ansi_x3.4-1968", &kAscii},
    {"iso-8859-1", &kLatin1},
    {"iso8859-1", &kLatin1},
    {"iso_8859-1", &kLatin1},
    {"latin1", &kLatin1},
    {"l1", &kLatin1},
    {"iso-ir-100", &kLatin1},
    {"iso-8859-15", &kLatin9},
    {"iso8859-15", &kLatin9},
    {"latin-9", &kLatin9},
    {"windows-1252", &kWindows1252},
    {"cp1252", &kWindows1252},
};

// Windows-1252 0x80..0x9f (0: undefined). Source: the Unicode mapping table
// https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT
constexpr uint16_t kCp1252High[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

// ISO-8859-15 differs from ISO-8859-1 in eight places.
uint32_t latin9(unsigned char c) {
  switch (c) {
    case 0xa4:
      return 0x20ac;
    case 0xa6:
      return 0x0160;
    case 0xa8:
      return 0x0161;
    case 0xb4:
      return 0x017d;
    case 0xb8:
      return 0x017e;
    case 0xbc:
      return 0x0152;
    case 0xbd:
      return 0x0153;
    case 0xbe:
      return 0x0178;
    default:
      return c;
  }
}

// The code point of byte `c`, or 0xfffd.
uint32_t single_byte(CharsetKind kind, unsigned char c) {
  if (c < 0x80) return c;
  switch (kind) {
    case CharsetKind::kLatin1:
      return c;
    case CharsetKind::kLatin9:
      return latin9(c);
    case CharsetKind::kWindows1252:
      if (c >= 0xa0) return c;
      return kCp1252High[c - 0x80] ? kCp1252High[c - 0x80] : 0xfffd;
    default:
      return 0xfffd;
  }
}

}  // namespace

const Charset* find_charset(std::string_view name) {
  name = name.substr(0, name.find('*'));
  for (const Alias& a : kAliases) {
    std::string_view n(a.name);
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) {
      return a.charset;
    }
  }
  return nullptr;
}

std::string to_utf8(const Charset& cs, std::string_view bytes) {
  if (cs.kind == CharsetKind::kUtf8) return sanitize_utf8(bytes);
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) append_utf8(out, single_byte(cs.kind, static_cast<unsigned char>(ch)));
  return out;
}

std::string_view charset_name(const Charset& cs) { return cs.name; }

}  // namespace mox::message
