// DKIM public key DNS records for our own keys (domains.conf(5)
// "Domains.*.DKIM"): the TXT value to publish at
// <selector>._domainkey.<domain>, and its split into DNS character-strings for
// zone files.
//
// Pure functions; safe from any thread. `key` is borrowed and must be
// non-null.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dkim {

// DKIM TXT record value for `key` (private or public):
//   RSA:     "v=DKIM1; h=sha256; p=<base64 of DER SubjectPublicKeyInfo>"
//            (RFC 6376 §3.6.1; k=rsa is the default and left out);
//   ed25519: "v=DKIM1; h=sha256; k=ed25519; p=<base64 of the raw 32-byte
//            public key>" (RFC 8463 §4.2).
// user_error for RSA keys under 1024 bits (RFC 8301 §3.2) and other key types.
Result<std::string> txt_record_value(EVP_PKEY* key);

// Splits a TXT value into character-strings of at most `max` bytes (RFC 1035
// §3.3 <character-string> is at most 255 octets; RFC 7208 §3.3, RFC 6376
// §3.6.2.2: the strings are concatenated without separator). `max` is clamped
// to [1, 255]. An empty value gives one empty string.
std::vector<std::string> split_txt(std::string_view value, size_t max = 255);

// The value as zone-file character-strings (RFC 1035 §5.1): each <= 255-byte
// piece in double quotes, separated by one space: "\"part1\" \"part2\"".
// '"' and '\' are backslash-escaped; bytes outside printable ASCII are
// written as \DDD.
std::string zone_txt_strings(std::string_view value);

}  // namespace mox::dkim
