#include "dkim/sign.h"

#include <strings.h>

#include <map>

#include "crypto/keys.h"
#include "smtp/address.h"

namespace mox::dkim {
namespace {

Status check_selector(const SelectorKey& s) {
  MOX_TRY(Selector::parse(s.selector));
  if (s.key == nullptr) return user_error("selector " + s.selector + ": no key");
  crypto::KeyType kt = crypto::key_type(s.key);
  if (kt == crypto::KeyType::kRsa) {
    // RFC 8301 §3.2: at least 1024 bits; signers SHOULD use 2048.
    if (crypto::key_bits(s.key) < 1024)
      return user_error("selector " + s.selector + ": RSA key under 1024 bits");
  } else if (kt == crypto::KeyType::kEd25519) {
    if (s.hash != Hash::kSha256)
      return user_error("selector " + s.selector + ": ed25519 needs sha256 (RFC 8463 §3)");
  } else {
    return user_error("selector " + s.selector + ": key must be RSA or ed25519");
  }
  bool from = false;
  for (const std::string& h : s.headers.empty() ? default_headers() : s.headers) {
    from = from || strcasecmp(h.c_str(), "From") == 0;
  }
  if (!from) return user_error("selector " + s.selector + ": From must be signed (RFC 6376 §5.4)");
  return {};
}

// h=: the configured names, and with sealing each name once more for every
// field of that name in the message (so each appears count+1 times; §5.4.2
// takes fields bottom-up and a name with no field left matches nothing).
std::vector<std::string> header_list(const SelectorKey& s, const HeaderView& hv) {
  const std::vector<std::string>& names = s.headers.empty() ? default_headers() : s.headers;
  std::vector<std::string> out = names;
  if (s.seal_headers) {
    for (const std::string& n : names) {
      for (size_t i = hv.header.count(n); i > 0; --i) out.push_back(n);
    }
  }
  return out;
}

Result<std::string> sign_one(const SignRequest& r, const SelectorKey& s, const HeaderView& hv,
                             std::map<std::pair<Hash, bool>, std::string>& body_hashes) {
  Signature sig;
  sig.key_algorithm = crypto::key_type(s.key) == crypto::KeyType::kEd25519 ? KeyAlgorithm::kEd25519
                                                                           : KeyAlgorithm::kRsa;
  sig.hash = s.hash;
  sig.header_relaxed = s.header_relaxed;
  sig.body_relaxed = s.body_relaxed;
  MOX_ASSIGN(sig.domain, [&]() -> Result<std::string> {
    MOX_ASSIGN(smtp::Domain d, smtp::Domain::parse(r.domain));
    return d.str();
  }());
  MOX_ASSIGN(sig.selector, [&]() -> Result<std::string> {
    MOX_ASSIGN(Selector sel, Selector::parse(s.selector));
    return sel.str();
  }());
  if (r.identity_localpart) sig.identity = *r.identity_localpart + "@" + sig.domain;
  sig.signed_headers = header_list(s, hv);
  sig.sign_time =
      std::chrono::duration_cast<std::chrono::seconds>(r.now.time_since_epoch()).count();
  if (s.expiration.count() > 0) sig.expire_time = *sig.sign_time + s.expiration.count();

  auto key = std::make_pair(s.hash, s.body_relaxed);
  if (!body_hashes.count(key)) {
    MOX_ASSIGN(body_hashes[key], body_hash(r.message, hv.header.size, s.hash, s.body_relaxed));
  }
  sig.body_hash = body_hashes[key];

  // §3.7: the header hash covers the new field with an empty b= value.
  std::string prefix = format_signature_prefix(sig);
  std::string data = signed_header_data(hv, sig.signed_headers, s.header_relaxed, prefix);
  MOX_ASSIGN(std::string b, sign_digest(s.key, s.hash, digest(s.hash, data)));
  return finish_signature_field(std::move(prefix), b);
}

}  // namespace

const std::vector<std::string>& default_headers() {
  static const std::vector<std::string> kHeaders = {
      "From",        "To",      "Cc",   "Bcc",        "Reply-To",    "References",
      "In-Reply-To", "Subject", "Date", "Message-Id", "Content-Type"};
  return kHeaders;
}

Result<std::string> sign(const SignRequest& r) {
  if (r.disabled) {
    return temporary_error("domain " + r.domain + " is disabled: not DKIM-signing for it");
  }
  if (r.selectors.empty()) return user_error("no DKIM selectors to sign with");
  if (auto d = smtp::Domain::parse(r.domain); !d)
    return user_error("bad signing domain: " + d.error().message);
  for (const SelectorKey& s : r.selectors) {
    if (Status st = check_selector(s); !st) return user_error(st.error().message);
  }
  MOX_ASSIGN(HeaderView hv, read_message_header(r.message));
  // RFC 5322 §3.6: exactly one From; DKIM must sign it (§5.4).
  if (size_t n = hv.header.count("From"); n != 1) {
    return syntax_error("message has " + std::to_string(n) + " From fields, need exactly 1");
  }
  std::map<std::pair<Hash, bool>, std::string> body_hashes;  // shared between selectors
  std::string out;
  for (const SelectorKey& s : r.selectors) {
    MOX_ASSIGN(std::string field, sign_one(r, s, hv, body_hashes));
    out += field;
  }
  return out;
}

}  // namespace mox::dkim
