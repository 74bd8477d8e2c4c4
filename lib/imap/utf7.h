// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), for IMAP4rev1 clients that
// have not enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2 (RFC 9051 §5.1, which
// sends names as UTF-8).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::imap {

// Decodes a modified UTF-7 name to UTF-8. Strict, as RFC 3501 §5.1.3 says:
// only printable US-ASCII (0x20-0x7e) outside shifts; "&-" is "&"; a shift is
// "&" modified-BASE64 (',' for '/', no padding) of UTF-16BE "-"; the leftover
// bits of a shift must be zero; surrogates must pair; a shift must not encode
// printable US-ASCII. Anything else is a kSyntax error.
Result<std::string> utf7_decode(std::string_view name);

// Encodes a UTF-8 name as modified UTF-7: printable US-ASCII as itself, "&" as
// "&-", every other run as one shift. Ill-formed UTF-8 is first replaced by
// U+FFFD (names from the store are valid UTF-8).
std::string utf7_encode(std::string_view utf8);

}  // namespace mox::imap
