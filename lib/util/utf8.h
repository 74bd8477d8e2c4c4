// UTF-8 helpers (RFC 3629).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mox {

// True when `s` is well-formed UTF-8: shortest forms only, no surrogates,
// nothing above U+10FFFF (RFC 3629 §3).
bool valid_utf8(std::string_view s);
// True when `s` is well-formed UTF-8 that stays on one line and shows no
// invisible controls: no C0 control (U+0000-U+001F, tab included), no DEL, no
// C1 control (U+0080-U+009F), no LINE or PARAGRAPH SEPARATOR (U+2028,
// U+2029). Names and one-line texts in config files are held to this.
bool printable_utf8(std::string_view s);
// Returns `s` with every byte that is not part of printable UTF-8 (above)
// written as \xNN: the result shows on one line, without terminal controls.
std::string escape_unprintable(std::string_view s);
// Returns `s` with every ill-formed sequence replaced by U+FFFD (the
// "maximal subpart" practice of Unicode §3.9 is not followed: each bad byte
// becomes one U+FFFD).
std::string sanitize_utf8(std::string_view s);
// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF, not a surrogate).
void append_utf8(std::string& out, uint32_t cp);
// Decodes the code point at s[i] and advances i past it; an ill-formed
// sequence gives U+FFFD and advances by one byte. Precondition: i < s.size().
uint32_t next_code_point(std::string_view s, size_t& i);

}  // namespace mox
