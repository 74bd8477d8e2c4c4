#include "mailauth/mailauth.h"

#include <sodium.h>

#include "authres/header.h"
#include "dmarc/from.h"
#include "dmarc/lookup.h"
#include "spf/header.h"
#include "util/ascii.h"
#include "util/encoding.h"

namespace mox::mailauth {
namespace {

using authres::Method;
using authres::Property;

std::string domain_of(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : ascii_lower(address.substr(at + 1));
}

int random_sample() { return static_cast<int>(randombytes_uniform(100)); }

spf::Query spf_query(const Env& env, const std::string& ip, const std::string& ehlo,
                     const std::string& mail_from) {
  spf::Query q;
  q.ip = ip;
  q.mail_from = mail_from;
  q.helo = ehlo;
  q.receiver = env.hostname;
  return q;
}

// RFC 8601 §2.7.2: the SPF methods, one per identity checked.
void add_spf(std::vector<Method>& methods, const spf::Verdict& v, const std::string& mail_from) {
  Method m;
  m.method = "spf";
  m.result = std::string(spf::status_name(v.mail_from.status));
  m.comment = v.mail_from.domain.empty() ? "" : "domain " + v.mail_from.domain;
  if (!v.mail_from.problem.empty()) m.reason = v.mail_from.problem;
  m.props.push_back({"smtp", "mailfrom", mail_from.empty() ? v.mail_from.sender : mail_from});
  methods.push_back(std::move(m));
  if (v.helo.domain.empty()) return;  // an address literal: nothing checked
  Method h;
  h.method = "spf";
  h.result = std::string(spf::status_name(v.helo.status));
  h.props.push_back({"smtp", "helo", v.helo.domain});
  methods.push_back(std::move(h));
}

// RFC 8601 §2.7.1, RFC 6008 §4 (header.b: enough of the signature to tell
// several of one domain apart).
void add_dkim(std::vector<Method>& methods, const std::vector<dkim::VerifyResult>& results) {
  if (results.empty()) {
    methods.push_back(Method{"dkim", "none", "", "", {}});
    return;
  }
  for (const auto& r : results) {
    Method m;
    m.method = "dkim";
    m.result = std::string(dkim::status_name(r.status));
    m.reason = r.reason;
    if (!r.domain.empty()) m.props.push_back({"header", "d", r.domain});
    if (!r.selector.empty()) m.props.push_back({"header", "s", r.selector});
    if (r.signature && !r.signature->signature.empty()) {
      m.props.push_back({"header", "b", base64_encode(r.signature->signature).substr(0, 8)});
    }
    methods.push_back(std::move(m));
  }
}

}  // namespace

Checks::Checks(const Env& env, std::string remote_ip) : env_(env), ip_(std::move(remote_ip)) {}

Checks::~Checks() {
  // A check still running ends on its own: it holds copies of what it
  // needs, and the resolver and list of Env, which outlive it (a pool's
  // destructor waits for its tasks; a future of std::async for its thread).
}

void Checks::mail_from(std::string ehlo, std::string mail_from) {
  ehlo_ = std::move(ehlo);
  mail_from_ = std::move(mail_from);
  dns::Resolver* r = env_.resolver;
  if (!iprev_) {
    iprev_ = start([r, ip = ip_] { return authres::check_iprev(*r, ip); }).share();
  }
  spf_ = start([r, q = spf_query(env_, ip_, ehlo_, mail_from_)] { return spf::verify(*r, q); });
}

Verdict Checks::finish(const dkim::MessageRef& message, const Result<message::Header>& header) {
  if (!spf_) mail_from(ehlo_, mail_from_);
  Verdict v;
  Results& res = v.results;
  res.remote_ip = ip_;
  res.ehlo = ehlo_;
  res.mail_from = mail_from_;
  auto from = header ? dmarc::from_domain(*header) : Result<std::string>(header.error());
  // The DMARC record lookup runs beside the DKIM checks.
  std::future<dmarc::Lookup> lookup;
  if (from) {
    res.msg_from_domain = *from;
    res.msg_from_org_domain = env_.psl->organizational_domain(*from);
    lookup = start(
        [r = env_.resolver, psl = env_.psl, d = *from] { return dmarc::lookup(*r, *psl, d); });
  }
  dkim::MessageRef ref = message;
  if (header) ref.header = &*header;
  auto dkim = dkim::verify(*env_.resolver, ref, env_.dkim);
  spf::Verdict spf = spf_->get();
  spf_.reset();
  authres::Iprev iprev = iprev_->get();
  res.spf = spf.mail_from.status;
  res.helo_spf = spf.helo.status;
  res.mail_from_domain =
      spf.mail_from.domain.empty() ? domain_of(mail_from_) : spf.mail_from.domain;
  res.ehlo_validated = spf.helo.status == spf::Status::kPass;
  res.mail_from_validated = spf.mail_from.status == spf::Status::kPass;
  res.iprev = iprev.status;
  res.iprev_name = iprev.name;
  bool dkim_temp = false;
  if (dkim) {
    for (const auto& r : *dkim) {
      if (r.status == dkim::Status::kPass) res.dkim_domains.push_back(ascii_lower(r.domain));
      dkim_temp |= r.status == dkim::Status::kTemperror;
    }
  }
  std::vector<Method> methods;
  add_spf(methods, spf, mail_from_);
  add_dkim(methods, dkim ? *dkim : std::vector<dkim::VerifyResult>{});
  Method iprev_m{"iprev", std::string(authres::iprev_name(iprev.status)), iprev.name, "", {}};
  iprev_m.props.push_back({"policy", "iprev", ip_});

  if (!from) {
    v.decision = Decision::kRejectMalformed;
    v.reason = from.error().message;
    methods.push_back(std::move(iprev_m));
    v.headers = authres::format({env_.hostname, methods});
    return v;
  }
  dmarc::Identifiers ids;
  ids.from_domain = *from;
  ids.spf_domain = res.mail_from_domain;
  ids.spf_pass = spf.mail_from.status == spf::Status::kPass;
  ids.dkim_pass_domains = res.dkim_domains;
  ids.spf_temperror = spf.mail_from.status == spf::Status::kTemperror;
  ids.dkim_temperror = dkim_temp;
  dmarc::Lookup l = lookup.get();
  if (l.record && l.record->nonexistent_policy && l.domain != *from) {
    // DMARCbis np=: the policy for a From domain that does not exist.
    auto q = env_.resolver->query(*from, dns::Type::kA);
    ids.from_domain_exists = !(q && q->status == dns::Response::Status::kNxDomain);
  }
  int sample = env_.sample ? env_.sample() : random_sample();
  dmarc::Evaluation e = dmarc::evaluate(l, *env_.psl, ids, sample);
  res.dmarc = e.status;
  res.msg_from_validated = e.status == dmarc::Status::kPass;
  Method dm{"dmarc", std::string(dmarc::status_name(e.status)), "", "", {}};
  if (e.status == dmarc::Status::kFail || e.status == dmarc::Status::kPass) {
    dm.comment = "p=" + std::string(dmarc::policy_name(e.policy));
  }
  if (!l.problem.empty()) dm.reason = l.problem;
  dm.props.push_back({"header", "from", *from});
  methods.push_back(std::move(dm));
  methods.push_back(std::move(iprev_m));
  v.headers = authres::format({env_.hostname, methods}) +
              spf::received_spf_header(spf.mail_from, spf_query(env_, ip_, ehlo_, mail_from_));

  // A failure that a DNS answer of now could turn into a pass: try later,
  // where the verdict would be a refusal.
  bool may_pass = e.status == dmarc::Status::kTemperror;
  bool ours = env_.ours && (env_.ours(*from) || env_.ours(res.msg_from_org_domain));
  bool policy_refuses = e.policy != dmarc::Policy::kNone;
  if (l.status == dmarc::Status::kTemperror) {
    v.decision = Decision::kTempfail;
    v.reason = "temporary DNS failure looking up the DMARC policy of " + *from + ": " + l.problem;
  } else if (e.status == dmarc::Status::kFail && e.reject) {
    v.decision = Decision::kReject;
    v.reason = e.reason;
  } else if (may_pass && (policy_refuses || ours)) {
    v.decision = Decision::kTempfail;
    v.reason = "temporary DNS failure checking SPF/DKIM for the DMARC policy of " + *from;
  } else if (ours && e.status != dmarc::Status::kPass) {
    v.decision = Decision::kReject;
    v.reason = "DMARC: From domain " + *from +
               " is this server's own, and the message is not from it "
               "(no aligned SPF or DKIM pass)";
  }
  return v;
}

Verdict check_message(const Env& env, const std::string& remote_ip, const std::string& ehlo,
                      const std::string& mail_from, const dkim::MessageRef& message,
                      std::string_view header) {
  Checks c(env, remote_ip);
  c.mail_from(ehlo, mail_from);
  return c.finish(message, message::parse_header(header));
}

}  // namespace mox::mailauth
