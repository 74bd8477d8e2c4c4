// Byte encodings (base64, base64url, hex) over libsodium's codecs.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox {

std::string base64_encode(std::string_view bytes);           // standard, padded
std::string base64url_encode(std::string_view bytes);        // URL-safe, no padding
Result<std::string> base64_decode(std::string_view text);     // standard, padded
Result<std::string> base64url_decode(std::string_view text);  // URL-safe, no padding
std::string hex_encode(std::string_view bytes);               // lower case
// `n` random bytes (libsodium) as base64url: unique IDs for messages, MIME
// boundaries and the like.
std::string random_token(size_t n = 12);

}  // namespace mox
