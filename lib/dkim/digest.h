// The hashes and signature operations of DKIM (RFC 6376 §3.7), shared by
// signing and verification: body hash (bh=), the hash over the signed header
// fields and the DKIM-Signature field, and RSA / Ed25519 over that hash.
//
// Messages come as bytes or as a file descriptor read with pread (a spooled
// message is hashed in bounded memory). Errors are values.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/signature.h"
#include "message/header.h"
#include "util/result.h"

namespace mox::dkim {

// A message in wire form (CRLF): `bytes`, or when fd >= 0 the file from
// offset 0 (the fd is borrowed; not moved, read with pread).
struct MessageRef {
  std::string_view bytes;
  int fd = -1;
  // With fd: header fields that come before the file's content (e.g. a
  // Message-ID added at submission), so the message is prefix + file.
  std::string_view prefix = {};
  // The header of the message (prefix included), parsed by the caller
  // (message/parsed.h), borrowed; null: read_message_header parses it.
  const message::Header* header = nullptr;
};

// The header section: its text and fields (offsets into text).
struct HeaderView {
  std::string owned;  // holds the text when read from an fd
  std::string_view text;
  message::Header header;
};

// kPermanent when the header is too large (message/header.h limits).
Result<HeaderView> read_message_header(const MessageRef& m);

// bh=: hash of the canonical body (§3.7), limited to `length` octets of it
// when set (l=). kPermanent if `length` exceeds the canonical body.
Result<std::string> body_hash(const MessageRef& m, size_t body_offset, Hash hash, bool relaxed,
                              std::optional<uint64_t> length = std::nullopt);

// The octets that the header hash covers (§3.7, §5.4.2): for each name in
// `signed_headers`, the last field of that name not used yet, canonicalized
// (names absent or used up contribute nothing); then `sig_field` (the
// DKIM-Signature field with an empty b= value, no final CRLF), canonicalized
// without a CRLF.
std::string signed_header_data(const HeaderView& h, const std::vector<std::string>& signed_headers,
                               bool relaxed, std::string_view sig_field);

std::string digest(Hash hash, std::string_view data);

// RSASSA-PKCS1-v1_5 over the digest (RFC 8017 §8.2), or PureEdDSA over the
// digest itself (RFC 8463 §3: Ed25519 signs the SHA-256 hash). `key` is
// borrowed.
Result<std::string> sign_digest(EVP_PKEY* key, Hash hash, std::string_view dgst);
// true if `signature` verifies; errors only for OpenSSL failures.
Result<bool> verify_digest(EVP_PKEY* key, Hash hash, std::string_view dgst,
                           std::string_view signature);

}  // namespace mox::dkim
