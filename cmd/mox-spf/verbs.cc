#include "verbs.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/stdin.h"
#include "config/config.h"
#include "config/resolver.h"
#include "dns/resolver.h"
#include "spf/check.h"
#include "spf/header.h"
#include "spf/record.h"
#include "util/json.h"

namespace moxspf {
namespace {

constexpr const char* kProg = "mox-spf";

int fail(const mox::Error& e) { return mox::fail(kProg, e); }

// The resolver of mox.conf's DNS section (mox.conf(5)); without a config
// file, the zone file alone or the system's resolver
// (config/resolver.h tool_resolver).
mox::Result<std::unique_ptr<mox::dns::Resolver>> resolver(const Args& a) {
  MOX_ASSIGN(auto tr, mox::config::tool_resolver(a.config, a.zone_file));
  return std::move(tr.resolver);
}

void print_text(const mox::spf::Received& r) {
  std::cout << mox::spf::status_name(r.status) << "\n";
  if (!r.mechanism.empty()) std::cout << "mechanism: " << r.mechanism << "\n";
  if (!r.explanation.empty()) std::cout << "explanation: " << r.explanation << "\n";
  if (!r.problem.empty()) std::cout << "problem: " << r.problem << "\n";
  std::cout << "domain: " << r.domain << "\n";
  std::cout << "sender: " << r.sender << "\n";
}

std::string json_of(const mox::spf::Received& r, const mox::spf::Query& q) {
  mox::JsonObject o;
  o.add("result", mox::spf::status_name(r.status));
  o.add("identity", r.identity);
  o.add("domain", r.domain);
  o.add("sender", r.sender);
  o.add("mechanism", r.mechanism);
  o.add("explanation", r.explanation);
  o.add("problem", r.problem);
  o.add("header", mox::spf::received_spf_header(r, q));
  return o.str();
}

}  // namespace

int check(const Args& a) {
  unsigned char buf[16];
  if (::inet_pton(AF_INET, a.ip.c_str(), buf) != 1 &&
      ::inet_pton(AF_INET6, a.ip.c_str(), buf) != 1) {
    return fail(mox::user_error("--ip: not an IP address: \"" + a.ip + "\""));
  }
  auto r = resolver(a);
  if (!r) return fail(r.error());
  mox::spf::Query q;
  q.ip = a.ip;
  q.mail_from = a.mail_from;
  q.helo = a.helo;
  q.receiver = a.receiver;
  mox::spf::Verdict v = mox::spf::verify(**r, q);
  if (a.json) {
    mox::JsonObject query, o;
    query.add("ip", a.ip)
        .add("mail_from", a.mail_from)
        .add("helo", a.helo)
        .add("receiver", a.receiver);
    o.add_raw("query", query.str())
        .add_raw("mailfrom", json_of(v.mail_from, q))
        .add_raw("helo", json_of(v.helo, q));
    std::cout << o.str() << "\n";
    return 0;
  }
  print_text(v.mail_from);
  std::cout << "\nhelo: ";
  print_text(v.helo);
  return 0;
}

int lookup(const Args& a) {
  auto r = resolver(a);
  if (!r) return fail(r.error());
  mox::spf::RecordLookup l = mox::spf::lookup_record(**r, a.pos.at(0));
  switch (l.status) {
    case mox::spf::Status::kPass:
      std::cout << l.text << "\n";
      break;
    case mox::spf::Status::kNone:
      std::cout << "none" << (l.problem.empty() ? "" : ": " + l.problem) << "\n";
      break;
    default:
      std::cout << mox::spf::status_name(l.status) << ": " << l.problem << "\n";
      break;
  }
  return 0;
}

int parse(const Args&) {
  std::string text = mox::read_stdin();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto rec = mox::spf::parse_record(text);
  if (!rec) return fail(rec.error());
  for (const auto& d : rec->directives) std::cout << d.text() << "\n";
  if (rec->redirect) std::cout << "redirect=" << *rec->redirect << "\n";
  if (rec->exp) std::cout << "exp=" << *rec->exp << "\n";
  for (const auto& [name, value] : rec->other_modifiers) std::cout << name << "=" << value << "\n";
  return 0;
}

}  // namespace moxspf
