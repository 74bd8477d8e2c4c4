#include "verbs.h"

#include <arpa/inet.h>

#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/stdin.h"
#include "config/config.h"
#include "config/resolver.h"
#include "dmarc/lookup.h"
#include "dmarc/publicsuffix.h"
#include "dns/resolver.h"
#include "mailauth/mailauth.h"
#include "util/fs.h"

namespace moxdmarc {
namespace {

constexpr const char* kProg = "mox-dmarc";

int fail(const mox::Error& e) { return mox::fail(kProg, e); }

// What every verb needs: the resolver of mox.conf (or of --zone-file alone
// when there is no mox.conf) and the Public Suffix List.
struct Env {
  std::shared_ptr<const mox::config::Config> cfg;  // null without mox.conf
  std::unique_ptr<mox::dns::Resolver> resolver;
  std::optional<mox::dmarc::PublicSuffixList> psl;
};

mox::Result<Env> env_of(const Args& a) {
  Env env;
  MOX_ASSIGN(auto tr, mox::config::tool_resolver(a.config, a.zone_file));
  env.cfg = std::move(tr.cfg);
  env.resolver = std::move(tr.resolver);
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

namespace {

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

const char* decision_word(mox::mailauth::Decision d) {
  switch (d) {
    case mox::mailauth::Decision::kAccept:
      return "accept";
    case mox::mailauth::Decision::kTempfail:
      return "tempfail";
    case mox::mailauth::Decision::kReject:
    case mox::mailauth::Decision::kRejectMalformed:
      break;
  }
  return "reject";
}

void print_verdict(const mox::mailauth::Verdict& v) {
  const mox::mailauth::Results& r = v.results;
  std::cout << "spf: " << mox::spf::status_name(r.spf) << " (mailfrom domain "
            << (r.mail_from_domain.empty() ? "-" : r.mail_from_domain) << ")\n";
  std::cout << "spf-helo: " << mox::spf::status_name(r.helo_spf) << "\n";
  std::cout << "dkim: " << (r.dkim_domains.empty() ? "none passed" : "pass");
  for (const std::string& d : r.dkim_domains) std::cout << " " << d;
  std::cout << "\n";
  std::cout << "dmarc: " << mox::dmarc::status_name(r.dmarc) << " (From domain "
            << (r.msg_from_domain.empty() ? "-" : r.msg_from_domain) << ")\n";
  std::cout << "iprev: " << mox::authres::iprev_name(r.iprev)
            << (r.iprev_name.empty() ? "" : " (" + r.iprev_name + ")") << "\n";
  std::cout << "decision: " << decision_word(v.decision)
            << (v.reason.empty() ? "" : ": " + v.reason) << "\n";
  std::cout << v.headers;
}

}  // namespace

// The checks of mox-smtpd's MX (mailauth/mailauth.h) for the message on
// stdin: a result a line, the decision, and the header fields the MX adds.
int verify(const Args& a) {
  if (!is_ip(a.ip)) return fail(mox::user_error("not an IP address: \"" + a.ip + "\""));
  auto env = env_of(a);
  if (!env) return fail(env.error());
  std::string msg = mox::read_stdin_message().crlf;
  size_t end = msg.find("\r\n\r\n");
  std::string header = end == std::string::npos ? msg : msg.substr(0, end + 4);
  mox::mailauth::Env me;
  me.resolver = env->resolver.get();
  me.psl = &*env->psl;
  me.hostname = !a.hostname.empty() ? a.hostname
                : env->cfg          ? env->cfg->static_config().hostname
                                    : "localhost";
  if (env->cfg) {
    std::shared_ptr<const mox::config::Config> cfg = env->cfg;
    me.ours = [cfg](std::string_view d) { return cfg->domain(std::string(d)) != nullptr; };
  }
  mox::dkim::MessageRef ref;
  ref.bytes = msg;
  print_verdict(mox::mailauth::check_message(me, a.ip, a.helo, a.mail_from, ref, header));
  return 0;
}

}  // namespace moxdmarc
