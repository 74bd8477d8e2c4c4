// The signing setup of a domain from domains.conf (domains.conf(5)
// "Domains.*.DKIM"): every selector in the domain's DKIM.Sign list with its
// private key loaded and its options (Hash, Canonicalization, Headers,
// DontSealHeaders, Expiration) turned into SelectorKeys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "crypto/keys.h"
#include "dkim/sign.h"
#include "util/result.h"

namespace mox::dkim {

struct DomainSigner {
  std::string domain;
  bool disabled = false;
  std::vector<crypto::PKeyPtr> keys;   // own the keys that selectors borrow
  std::vector<SelectorKey> selectors;  // in Sign order
};

// kNotFound for an unknown domain; kUser for a Sign entry without a
// selector, or an unreadable or bad key file (the path is named). A domain
// with an empty Sign list gives no selectors.
Result<DomainSigner> domain_signer(const config::Config& config, std::string_view domain);

// Fills a SignRequest for the domain's selectors (borrowing from `signer`).
SignRequest sign_request(const DomainSigner& signer, MessageRef message);

}  // namespace mox::dkim
