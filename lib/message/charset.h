// Conversion of the few single-byte charsets seen in real mail headers to
// UTF-8. A table, so that more can be added; anything else stays undecoded.
#pragma once

#include <string>
#include <string_view>

namespace mox::message {

struct Charset;  // opaque: identity matters, compare pointers

// Looks up a charset name (case-insensitive, with aliases, RFC 2231 §5
// "*language" suffix ignored). nullptr when unknown.
const Charset* find_charset(std::string_view name);
// Converts `bytes` to UTF-8. Ill-formed or unmapped bytes become U+FFFD.
std::string to_utf8(const Charset& cs, std::string_view bytes);
// Canonical IANA name, e.g. "UTF-8".
std::string_view charset_name(const Charset& cs);

}  // namespace mox::message
