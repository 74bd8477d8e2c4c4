// Content-Transfer-Encoding decoding (RFC 2045 §6) for IMAP BINARY
// (RFC 3516, RFC 9051 §6.4.5) and for search text. Lenient, as readers of
// real mail must be: bad input never fails, it decodes to something.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::message {

// RFC 2045 §6.8: characters outside the base64 alphabet (line breaks, junk)
// are ignored. "=" ends a group of four; decoding goes on after it, so that
// concatenated base64 blocks survive. Trailing bits that do not make a whole
// octet are dropped.
std::string decode_base64_lenient(std::string_view text);

// RFC 2045 §6.7: "=XX" (hex digits of either case) is an octet, "=" at the
// end of a line is a soft line break, white space at the end of a line is
// removed (rule 3). A "=" not followed by two hex digits is kept as it is.
// Line ends are kept as they are written (CRLF or bare LF).
std::string decode_quoted_printable(std::string_view text);

// True for the encodings decode_transfer knows: 7bit, 8bit, binary (the
// identity, RFC 2045 §6.2), base64 and quoted-printable. `encoding` is a
// lower-cased token as in Part::encoding.
bool known_transfer_encoding(std::string_view encoding);

// Decodes a body with its transfer encoding. An unknown encoding is a
// kPermanent error: IMAP answers BINARY with NO [UNKNOWN-CTE] (RFC 9051 §7.1).
Result<std::string> decode_transfer(std::string_view body, std::string_view encoding);

}  // namespace mox::message
