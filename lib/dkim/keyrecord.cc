#include "dkim/keyrecord.h"

#include <openssl/x509.h>

#include "dkim/tags.h"
#include "util/ascii.h"
#include "util/encoding.h"

namespace mox::dkim {
namespace {

std::vector<std::string> lower_list(std::string_view v) {
  std::vector<std::string> out;
  for (const std::string& s : split_colon_list(v)) {
    if (!s.empty()) out.push_back(ascii_lower(s));
  }
  return out;
}

}  // namespace

bool KeyRecord::allows_hash(std::string_view hash) const {
  if (hashes.empty()) return true;
  for (const std::string& h : hashes) {
    if (h == hash) return true;
  }
  return false;
}

bool KeyRecord::allows_email() const {
  if (services.empty()) return true;
  for (const std::string& s : services) {
    if (s == "*" || s == "email") return true;
  }
  return false;
}

Result<KeyRecord> parse_key_record(std::string_view txt) {
  auto tags = parse_tag_list(txt);
  if (!tags) return syntax_error("key record: " + tags.error().message);
  KeyRecord r;
  r.text = std::string(txt);
  // §3.6.1 v=: if present it MUST be the first tag, and "DKIM1".
  if (const Tag* v = find_tag(*tags, "v")) {
    if (v != &tags->front()) return syntax_error("key record: v= is not the first tag");
    if (v->value != "DKIM1") return syntax_error("key record: version is not DKIM1");
  }
  if (const Tag* h = find_tag(*tags, "h")) r.hashes = lower_list(h->value);
  if (const Tag* k = find_tag(*tags, "k")) r.key_type = ascii_lower(k->value);
  if (const Tag* s = find_tag(*tags, "s")) r.services = lower_list(s->value);
  if (const Tag* t = find_tag(*tags, "t")) {
    for (const std::string& f : lower_list(t->value)) {
      r.testing = r.testing || f == "y";
      r.strict = r.strict || f == "s";
    }
  }
  const Tag* p = find_tag(*tags, "p");
  if (!p) return syntax_error("key record: missing p=");
  std::string b64 = strip_ws(p->value);
  if (!b64.empty()) {
    auto key = base64_decode(b64);
    if (!key) return syntax_error("key record: bad base64 in p=");
    r.public_key = std::move(key).value();
  }
  return r;
}

Result<crypto::PKeyPtr> record_public_key(const KeyRecord& r) {
  if (r.key_type == "ed25519") {
    if (r.public_key.size() != 32)
      return syntax_error("ed25519 key is not 32 bytes (RFC 8463 §4.2)");
    auto* raw = reinterpret_cast<const unsigned char*>(r.public_key.data());
    crypto::PKeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw, 32));
    if (!key) {
      crypto::openssl_error();  // drain
      return syntax_error("bad ed25519 public key");
    }
    return key;
  }
  if (r.key_type != "rsa") return Error{ErrorKind::kPermanent, "unknown key type k=" + r.key_type};
  auto spki = crypto::load_public_key_spki_der(r.public_key);
  if (spki) {
    if (crypto::key_type(spki->get()) != crypto::KeyType::kRsa)
      return syntax_error("k=rsa but not an RSA key");
    return spki;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(r.public_key.data());
  crypto::PKeyPtr key(
      d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(r.public_key.size())));
  if (!key) {
    crypto::openssl_error();  // drain
    return syntax_error("bad RSA public key in p=");
  }
  return key;
}

std::string key_record_name(std::string_view selector, std::string_view domain) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

Result<KeyLookup> lookup_key(dns::Resolver& resolver, std::string_view selector,
                             std::string_view domain) {
  std::string name = key_record_name(selector, domain);
  auto txt = resolver.txt(name);
  if (!txt) {
    if (txt.error().kind == ErrorKind::kNotFound)
      return not_found("no key record: " + txt.error().message);
    if (txt.error().kind == ErrorKind::kTemporary) return txt.error();
    return Error{ErrorKind::kPermanent, "key lookup: " + txt.error().message};
  }
  std::vector<KeyRecord> found;
  Error last{ErrorKind::kNotFound, "no DKIM key record at " + name};
  for (const std::string& s : txt->records) {
    auto r = parse_key_record(s);
    if (r) {
      found.push_back(std::move(r).value());
    } else {
      last = r.error();
    }
  }
  if (found.size() > 1) return temporary_error("several DKIM key records at " + name);
  if (found.empty()) {
    // One malformed record is the domain's error; other TXT records there
    // that are not DKIM records are no key at all.
    if (txt->records.size() == 1) return Error{ErrorKind::kSyntax, name + ": " + last.message};
    return not_found("no DKIM key record at " + name);
  }
  return KeyLookup{std::move(found.front()), txt->authentic};
}

}  // namespace mox::dkim
