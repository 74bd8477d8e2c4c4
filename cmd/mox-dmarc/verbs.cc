#include "verbs.h"

#include <iostream>
#include <memory>

#include "config/config.h"
#include "config/resolver.h"
#include "dmarc/lookup.h"
#include "dmarc/publicsuffix.h"
#include "dns/resolver.h"
#include "util/cli.h"
#include "util/fs.h"

namespace moxdmarc {
namespace {

constexpr const char* kProg = "mox-dmarc";

int fail(const mox::Error& e) { return mox::fail(kProg, e); }

// What every verb needs: the resolver of mox.conf (or of --zone-file alone
// when there is no mox.conf) and the Public Suffix List.
struct Env {
  std::unique_ptr<mox::dns::Resolver> resolver;
  std::optional<mox::dmarc::PublicSuffixList> psl;
};

mox::Result<std::unique_ptr<mox::dns::Resolver>> resolver_of(const Args& a) {
  std::string path = mox::config::default_config_path(a.config);
  if (!mox::path_exists(path) && a.config.empty()) {
    mox::dns::ResolverOptions o;
    o.zone_file = a.zone_file;
    return mox::dns::make_resolver(o);
  }
  MOX_ASSIGN(auto cfg, mox::config::Config::load(path));
  return mox::config::make_resolver(*cfg, a.zone_file);
}

mox::Result<Env> env_of(const Args& a) {
  Env env;
  MOX_ASSIGN(env.resolver, resolver_of(a));
  MOX_ASSIGN(auto psl, mox::dmarc::PublicSuffixList::load(
                           a.psl.empty() ? mox::dmarc::PublicSuffixList::kDefaultPath : a.psl));
  env.psl = std::move(psl);
  return env;
}

}  // namespace

// Prints the domain whose record applies and the record, or "none", or the
// error result (RFC 8601 §2.7.4 names) with its reason.
int lookup(const Args& a) {
  auto env = env_of(a);
  if (!env) return fail(env.error());
  const std::string& domain = a.pos.at(0);
  if (mox::dmarc::normalize_domain(domain).empty()) {
    return fail(mox::user_error("bad domain \"" + domain + "\""));
  }
  mox::dmarc::Lookup l = mox::dmarc::lookup(*env->resolver, *env->psl, domain);
  switch (l.status) {
    case mox::dmarc::Status::kPass:
      std::cout << l.domain << "\n" << l.record->text() << "\n";
      break;
    case mox::dmarc::Status::kNone:
      std::cout << "none\n";
      break;
    default:
      std::cout << mox::dmarc::status_name(l.status) << ": " << l.problem << "\n";
      break;
  }
  return 0;
}

}  // namespace moxdmarc
