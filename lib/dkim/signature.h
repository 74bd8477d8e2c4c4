// The DKIM-Signature header field (RFC 6376 §3.5): parsed strictly from a
// message, and written for a new signature, folded.
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dkim {

enum class KeyAlgorithm { kRsa, kEd25519 };  // a= before the "-"
enum class Hash { kSha1, kSha256 };          // a= after the "-"

std::string_view key_algorithm_name(KeyAlgorithm k);  // "rsa", "ed25519"
std::string_view hash_name(Hash h);                   // "sha1", "sha256"

// A selector (RFC 6376 §3.1): dot-separated sub-domain labels of letters,
// digits and inner hyphens (RFC 5321 §4.1.2), lower-cased. Only built by
// parsing.
class Selector {
 public:
  static Result<Selector> parse(std::string_view s);
  const std::string& str() const { return name_; }

 private:
  explicit Selector(std::string n) : name_(std::move(n)) {}
  std::string name_;
};

struct Signature {
  KeyAlgorithm key_algorithm = KeyAlgorithm::kRsa;
  Hash hash = Hash::kSha256;
  std::string signature;                              // b=, decoded
  std::string body_hash;                              // bh=, decoded
  bool header_relaxed = false, body_relaxed = false;  // c=, default simple/simple
  std::string domain;                                 // d=, lower-case
  std::string selector;                               // s=, lower-case
  std::vector<std::string> signed_headers;            // h=, as written
  std::optional<std::string> identity;                // i=, decoded (dkim-quoted-printable)
  std::optional<uint64_t> length;                     // l=
  std::optional<int64_t> sign_time;                   // t=
  std::optional<int64_t> expire_time;                 // x=
};

// Parses the value of a DKIM-Signature field (after the colon, folds kept).
// Errors (kSyntax) are what §6.1.1 calls PERMFAIL: a missing required tag
// (v, a, b, bh, d, h, s), v= other than 1, an unknown algorithm or
// canonicalization, q= without dns/txt, i= outside d= (§3.5), x= not after
// t=, h= without From (§5.4).
Result<Signature> parse_signature(std::string_view raw_value);

// The field as it is hashed (§3.7): `raw_field` (name, colon, value, without
// the final CRLF) with the value of the b= tag, and the white space around
// it, removed. kSyntax if the value is not a tag list or has no b= tag.
Result<std::string> without_b_value(std::string_view raw_field);

// Writes a new field "DKIM-Signature: v=1; a=...; ...; b=" ready for the
// signature value to be appended, folded at 78 columns with CRLF TAB. The
// b= tag comes last, so the field as hashed is this text without CRLF.
std::string format_signature_prefix(const Signature& sig);

// Appends the b= value (base64 of `signature`), folded, and the final CRLF.
std::string finish_signature_field(std::string prefix, std::string_view signature);

// dkim-quoted-printable (§2.11) for i=: octets outside %x21-3A / %x3C-7E,
// and "=", become =XX.
std::string dkim_qp_encode(std::string_view s);
Result<std::string> dkim_qp_decode(std::string_view s);

}  // namespace mox::dkim
