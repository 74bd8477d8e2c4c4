// DKIM signing (RFC 6376 §5; Ed25519 per RFC 8463): one DKIM-Signature
// field per selector, ready to prepend to the message.
//
// Thread safety: sign() only reads its request; keys may be shared.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/digest.h"
#include "dkim/signature.h"
#include "util/result.h"

namespace mox::dkim {

// mox's default signed header fields (config.go): the addressing fields,
// date and subject, the message-referencing fields and the parsing
// instructions (RFC 6376 §5.4.1 recommends these).
const std::vector<std::string>& default_headers();

// One selector's key and options (domains.conf DKIM.Selectors).
struct SelectorKey {
  std::string selector;       // checked with Selector::parse
  EVP_PKEY* key = nullptr;    // borrowed private key, RSA (>= 1024 bits) or Ed25519
  Hash hash = Hash::kSha256;  // sha1 only with RSA, for compatibility (RFC 8301 §3.1 says no)
  bool header_relaxed = false, body_relaxed = false;
  std::vector<std::string> headers;  // empty: default_headers(); must include From
  // Over-sign: list each header name once more than the message has it, so
  // that a field added later breaks the signature (§8.15; mox's default,
  // DontSealHeaders false).
  bool seal_headers = true;
  std::chrono::seconds expiration{0};  // x= = t= + expiration when > 0
};

struct SignRequest {
  std::string domain;  // d=, checked with smtp::Domain::parse
  // i= is "<identity_localpart>@<domain>" when set (mox signs with the
  // sender's localpart); d= alone otherwise.
  std::optional<std::string> identity_localpart;
  std::vector<SelectorKey> selectors;  // at least one
  MessageRef message;                  // the message in wire form (CRLF)
  bool disabled = false;               // the domain is disabled: refused (mox-smtpd(8))
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // t=
};

// The DKIM-Signature fields, one per selector in request order, each ending
// in CRLF. Errors: kTemporary for a disabled domain; kUser for bad options
// (no selectors, bad selector or domain, From not in the header list, key
// type, sha1 with ed25519); kSyntax when the message does not have exactly
// one From field (§5.4, RFC 5322 §3.6); kPermanent for a header too large.
Result<std::string> sign(const SignRequest& request);

}  // namespace mox::dkim
