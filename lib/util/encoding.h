// Byte encodings (base64, base64url, hex) over libsodium's codecs.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox {

std::string base64_encode(std::string_view bytes);            // standard, padded
std::string base64url_encode(std::string_view bytes);         // URL-safe, no padding
Result<std::string> base64_decode(std::string_view text);     // standard, padded
Result<std::string> base64url_decode(std::string_view text);  // URL-safe, no padding
std::string hex_encode(std::string_view bytes);               // lower case

// Digits, for decoders more lenient or more strict than the ones above
// (quoted-printable and base64 in MIME, RFC 2045 §6.7-6.8; RFC 2047 §4;
// RFC 2231 §4): the value of one standard base64 digit, of one hex digit
// (either case), and of the two hex digits at s[i] and s[i + 1]; -1 where
// there is no such digit.
int base64_digit(char c);
int hex_digit(char c);
int hex_byte(std::string_view s, size_t i);
// `n` random bytes (libsodium) as base64url: unique IDs for messages, MIME
// boundaries and the like.
std::string random_token(size_t n = 12);

}  // namespace mox
