// The IMAP string (RFC 9051 §4.3, §9: string = quoted / literal), the one
// quoter of the IMAP responses (imap/writer.h) and of the ENVELOPE and
// BODYSTRUCTURE forms (message/fetch.h). No I/O, no state; thread-safe.
//
// The rules, each from RFC 9051 §9:
// - quoted = DQUOTE *QUOTED-CHAR DQUOTE: no CR, LF or NUL; '"' and '\'
//   escaped; 8-bit octets only for a client that enabled UTF8=ACCEPT or
//   IMAP4rev2 (`utf8`), and then only as well-formed UTF-8 (RFC 6855 §3).
// - Strings over 1024 octets go as literals, so no quoted string is longer.
// - literal = "{" number "}" CRLF *CHAR8, where CHAR8 excludes NUL: a NUL
//   octet can be sent in neither form, so NULs are left out of the string.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mox::imapstring {

// The longest string sent quoted; longer ones are literals.
constexpr size_t kMaxQuoted = 1024;

// Whether `s` can be sent as a quoted string as it is: no NUL, CR or LF, at
// most kMaxQuoted octets, 8-bit octets only when `utf8` and valid UTF-8.
bool quotable(std::string_view s, bool utf8);
// Appends `s` without its NULs: quoted when quotable(), else as a literal.
void append_string(std::string& out, std::string_view s, bool utf8);
// NIL when absent, else append_string.
void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8);
// append_string / append_nstring into a new string.
std::string string_form(std::string_view s, bool utf8);
std::string nstring_form(std::optional<std::string_view> s, bool utf8);

}  // namespace mox::imapstring
