// DKIM verification (RFC 6376 §6): every DKIM-Signature field of a message
// is checked and gets one result, named as in RFC 8601 §2.7.1.
//
//   pass       signature and body hash verify
//   fail       the signature or the body hash does not verify (message
//              changed in transit)
//   neutral    the key is in test mode (t=y, §3.6.1) and it did not pass:
//              not to be treated differently from unsigned mail
//   temperror  the key could not be fetched now (DNS failure, §6.1.2)
//   permerror  the signature cannot be verified, ever: malformed field,
//              expired x= (§6.1.1), no or revoked key, key record that
//              forbids the hash, service or identity (§6.1.2)
//   policy     valid perhaps, but refused here: rsa-sha1 (RFC 8301 §3.1),
//              RSA under 1024 bits (RFC 8301 §3.2), l= (§8.2), or more
//              signatures than `max_signatures`
//
// Thread safety: verify() uses only its arguments; the resolver must be
// safe for the calling thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/digest.h"
#include "dkim/keycache.h"
#include "dkim/signature.h"
#include "dns/resolver.h"
#include "util/result.h"

namespace mox::dkim {

enum class Status { kPass, kFail, kNeutral, kTemperror, kPermerror, kPolicy };
std::string_view status_name(Status s);  // "pass", "fail", ... (RFC 8601)

struct VerifyOptions {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for x=
  int min_rsa_bits = 1024;                                                       // RFC 8301 §3.2
  bool allow_sha1 = false;                                                       // RFC 8301 §3.1
  bool allow_length = false;   // l= lets anyone append to the body (§8.2)
  size_t max_signatures = 20;  // later ones get "policy" without DNS lookups
  // Decoded keys to reuse (dkim/keycache.h); null: decode every key.
  KeyCache* key_cache = nullptr;
};

struct VerifyResult {
  Status status = Status::kPermerror;
  std::string domain;    // d=, "" if the field did not parse
  std::string selector;  // s=, "" if the field did not parse
  std::string reason;    // why it did not pass; "" for pass
  std::optional<Signature> signature;
  bool key_authentic = false;  // the key record was DNSSEC-validated
};

// One result per DKIM-Signature field, top to bottom. An error only when
// the header cannot be read (kPermanent: too large; kInternal: I/O).
Result<std::vector<VerifyResult>> verify(dns::Resolver& resolver, const MessageRef& message,
                                         const VerifyOptions& options = {});

}  // namespace mox::dkim
