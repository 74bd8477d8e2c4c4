// DKIM public key records in DNS (RFC 6376 §3.6.1), the TXT value at
// <selector>._domainkey.<domain> (§3.6.2.1), and its lookup.
//
// Pure parsing; lookup_key uses the Resolver it is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.h"
#include "dns/resolver.h"
#include "util/result.h"

namespace mox::dkim {

struct KeyRecord {
  std::vector<std::string> hashes;    // h=; empty: any
  std::string key_type = "rsa";       // k=, lower-case
  std::string public_key;             // p=, decoded; empty: revoked (§3.6.1)
  std::vector<std::string> services;  // s=; default "*"
  bool testing = false;               // t=y
  bool strict = false;                // t=s: i= must be d= exactly
  std::string text;                   // the record as published

  bool allows_hash(std::string_view hash) const;
  bool allows_email() const;
};

// kSyntax for what is not a DKIM key record: a bad tag list, v= not first
// or not "DKIM1", no p=, bad base64.
Result<KeyRecord> parse_key_record(std::string_view txt);

// The key of a record: RSA as SubjectPublicKeyInfo DER (what everyone
// publishes) or, failing that, PKCS#1 RSAPublicKey (§3.6.1 k=rsa wording);
// ed25519 as the raw 32-byte key (RFC 8463 §4.2). kSyntax if it does not
// decode, kPermanent for an unknown k=.
Result<crypto::PKeyPtr> record_public_key(const KeyRecord& record);

// "<selector>._domainkey.<domain>" (§3.6.2.1).
std::string key_record_name(std::string_view selector, std::string_view domain);

struct KeyLookup {
  KeyRecord record;
  bool authentic = false;  // DNSSEC
};

// Looks up and parses the key record. Error kinds: kNotFound (no TXT
// records, or none that is a DKIM record: §6.1.2 "no key for signature"),
// kTemporary (DNS failure, or several DKIM records: §3.6.2.2 leaves it
// undefined; a later try may see one), kSyntax (one record, malformed),
// kPermanent (other DNS failures, a bad name).
Result<KeyLookup> lookup_key(dns::Resolver& resolver, std::string_view selector,
                             std::string_view domain);

}  // namespace mox::dkim
