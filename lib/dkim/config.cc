#include "dkim/config.h"

#include "util/fs.h"

namespace mox::dkim {

Result<DomainSigner> domain_signer(const config::Config& c, std::string_view domain) {
  const config::Domain* d = c.domain(domain);
  if (d == nullptr) return not_found("domain " + std::string(domain) + " not configured");
  DomainSigner out;
  out.domain = std::string(domain);
  out.disabled = d->disabled;
  for (const std::string& name : d->dkim.sign) {
    auto it = d->dkim.selectors.find(name);
    if (it == d->dkim.selectors.end()) {
      return user_error("domain " + out.domain + ": DKIM Sign names unknown selector " + name);
    }
    const config::DKIMSelector& sel = it->second;
    std::string path = c.config_path(sel.private_key_file);
    auto pem = read_file(path);
    if (!pem) return user_error(path + ": " + pem.error().message);
    auto key = crypto::load_private_key_pem(*pem);
    if (!key) return user_error(path + ": " + key.error().message);
    SelectorKey sk;
    sk.selector = name;
    sk.key = key->get();
    if (sel.hash == "sha1") {
      sk.hash = Hash::kSha1;
    } else if (!sel.hash.empty() && sel.hash != "sha256") {
      return user_error("selector " + name + ": unknown Hash " + sel.hash);
    }
    sk.header_relaxed = sel.canonicalization.header_relaxed;
    sk.body_relaxed = sel.canonicalization.body_relaxed;
    sk.headers = sel.headers;
    sk.seal_headers = !sel.dont_seal_headers;
    sk.expiration = std::chrono::duration_cast<std::chrono::seconds>(sel.expiration);
    out.keys.push_back(std::move(key).value());
    out.selectors.push_back(std::move(sk));
  }
  return out;
}

SignRequest sign_request(const DomainSigner& s, MessageRef message) {
  SignRequest r;
  r.domain = s.domain;
  r.selectors = s.selectors;
  r.message = message;
  r.disabled = s.disabled;
  return r;
}

}  // namespace mox::dkim
