#include "verbs.h"

#include <iostream>

#include "cli/cli.h"
#include "cli/stdin.h"
#include "config/config.h"
#include "crypto/keys.h"
#include "dkim/config.h"
#include "dkim/dnsrecord.h"
#include "dkim/keyrecord.h"
#include "dkim/sign.h"
#include "dkim/verify.h"
#include "dns/resolver.h"
#include "util/fs.h"

namespace moxdkim {
namespace {

constexpr const char* kProg = "mox-dkim";

int fail(const mox::Error& e) { return mox::fail(kProg, e); }

// A message signed from a file with LF line ends is written back with LF
// (cli/stdin.h).
std::string to_lf(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    out += s[i];
  }
  return out;
}

std::chrono::system_clock::time_point now_of(const Args& a) {
  if (a.now == 0) return std::chrono::system_clock::now();
  return std::chrono::system_clock::time_point(std::chrono::seconds(a.now));
}

int print_pem(mox::Result<mox::crypto::PKeyPtr> key) {
  if (!key) return fail(key.error());
  auto pem = mox::crypto::private_key_pkcs8_pem(key->get());
  if (!pem) return fail(pem.error());
  std::cout << *pem;
  return 0;
}

// The signer from --domain/--selector/--key and the options.
mox::Result<mox::dkim::DomainSigner> signer_from_flags(const Args& a) {
  auto pem = mox::read_file(a.key_file);
  if (!pem) return mox::user_error(a.key_file + ": " + pem.error().message);
  auto key = mox::crypto::load_private_key_pem(*pem);
  if (!key) return mox::user_error(a.key_file + ": " + key.error().message);
  mox::dkim::DomainSigner s;
  s.domain = a.domain;
  mox::dkim::SelectorKey sk;
  sk.selector = a.selector;
  sk.key = key->get();
  sk.header_relaxed = sk.body_relaxed = a.relaxed;
  sk.headers = a.headers;
  sk.seal_headers = !a.no_seal;
  if (!a.expiration.empty()) {
    auto d = mox::config::parse_duration(a.expiration);
    if (!d) return mox::user_error("--expiration: " + d.error().message);
    sk.expiration = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  s.keys.push_back(std::move(key).value());
  s.selectors.push_back(std::move(sk));
  return s;
}

mox::Result<mox::dkim::DomainSigner> signer_from_config(const Args& a) {
  MOX_ASSIGN(auto cfg, mox::config::Config::load(mox::config::default_config_path(a.config)));
  MOX_ASSIGN(auto s, mox::dkim::domain_signer(*cfg, a.from_config));
  if (s.selectors.empty() && !s.disabled) {
    return mox::user_error("domain " + a.from_config + " has no selectors in its DKIM Sign list");
  }
  return s;
}

}  // namespace

int genrsa(const Args& a) { return print_pem(mox::crypto::generate_rsa(a.bits)); }

int gened25519(const Args&) { return print_pem(mox::crypto::generate_ed25519()); }

int txt(const Args&) {
  auto key = mox::crypto::load_private_key_pem(mox::read_stdin());
  if (!key) return fail(key.error());
  auto value = mox::dkim::txt_record_value(key->get());
  if (!value) return fail(value.error());
  std::cout << *value << "\n";
  return 0;
}

int sign(const Args& a) {
  if (a.from_config.empty() && (a.domain.empty() || a.selector.empty() || a.key_file.empty())) {
    std::cerr << kProg << ": sign needs --domain, --selector and --key, or --from-config DOMAIN\n";
    return mox::kExitUsage;
  }
  auto signer = a.from_config.empty() ? signer_from_flags(a) : signer_from_config(a);
  if (!signer) return fail(signer.error());
  mox::StdinMessage msg = mox::read_stdin_message();
  mox::dkim::SignRequest r = mox::dkim::sign_request(*signer, mox::dkim::MessageRef{msg.crlf});
  if (!a.identity.empty()) r.identity_localpart = a.identity;
  r.now = now_of(a);
  auto fields = mox::dkim::sign(r);
  if (!fields) return fail(fields.error());
  std::string out = *fields + msg.crlf;
  std::cout << (msg.lf_only ? to_lf(out) : out);
  return 0;
}

int verify(const Args& a) {
  auto resolver = mox::dns::make_resolver(a.zone_file);
  if (!resolver) return fail(resolver.error());
  mox::StdinMessage msg = mox::read_stdin_message();
  mox::dkim::VerifyOptions o;
  o.now = now_of(a);
  o.allow_sha1 = a.allow_sha1;
  auto results = mox::dkim::verify(**resolver, mox::dkim::MessageRef{msg.crlf}, o);
  if (!results) return fail(results.error());
  if (results->empty()) {
    std::cout << "none - - message has no DKIM-Signature\n";
    return mox::kExitUserError;
  }
  bool all_pass = true;
  for (const auto& r : *results) {
    all_pass = all_pass && r.status == mox::dkim::Status::kPass;
    std::cout << mox::dkim::status_name(r.status) << " " << (r.domain.empty() ? "-" : r.domain)
              << " " << (r.selector.empty() ? "-" : r.selector) << (r.reason.empty() ? "" : " ")
              << r.reason << "\n";
  }
  return all_pass ? 0 : mox::kExitUserError;
}

int lookup(const Args& a) {
  auto sel = mox::dkim::Selector::parse(a.pos.at(0));
  if (!sel) return fail(sel.error());
  auto resolver = mox::dns::make_resolver(a.zone_file);
  if (!resolver) return fail(resolver.error());
  auto key = mox::dkim::lookup_key(**resolver, sel->str(), a.pos.at(1));
  if (!key) return fail(key.error());
  std::cout << key->record.text << "\n";
  return 0;
}

}  // namespace moxdkim
