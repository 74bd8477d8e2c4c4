// check_host() (RFC 7208 §4) with the mechanisms of §5 and the modifiers
// of §6, under the limits of §4.6.4.
#include "spf/check.h"

#include <ctime>
#include <optional>

#include "spf/internal.h"
#include "spf/macro.h"

namespace mox::spf {
namespace {

using Kind = Directive::Kind;
using Clock = std::chrono::steady_clock;

// The outcome of one check_host() level; failures travel as Errors:
// kTemporary means temperror, every other kind permerror.
struct Outcome {
  Status status = Status::kNone;
  std::string mechanism;
  std::string explanation;
  std::string problem;
};

Error permerror(std::string m) { return Error{ErrorKind::kPermanent, std::move(m)}; }

Status status_of(char qualifier) {
  switch (qualifier) {
    case '-':
      return Status::kFail;
    case '~':
      return Status::kSoftfail;
    case '?':
      return Status::kNeutral;
    default:
      return Status::kPass;
  }
}

// The state of one check, shared by nested include/redirect levels.
class Checker {
 public:
  Checker(dns::Resolver& r, const Query& q, detail::Ip ip, std::string_view sender)
      : r_(r), ip_(ip), deadline_(Clock::now() + q.budget) {
    ctx_.sender = std::string(sender);
    size_t at = ctx_.sender.rfind('@');
    ctx_.local = at == std::string::npos ? "postmaster" : ctx_.sender.substr(0, at);
    if (ctx_.local.empty()) ctx_.local = "postmaster";  // §4.3
    ctx_.sender_domain = at == std::string::npos ? ctx_.sender : ctx_.sender.substr(at + 1);
    ctx_.ip = q.ip;
    ctx_.helo = q.helo;
    ctx_.receiver = q.receiver;
    ctx_.timestamp = q.now != 0 ? q.now : static_cast<int64_t>(std::time(nullptr));
    ctx_.resolver = &r;
  }

  Result<Outcome> check_host(const std::string& domain);

 private:
  Result<void> budget() const {
    if (Clock::now() > deadline_) {
      return temporary_error("SPF evaluation took longer than its time budget (RFC 7208 §4.6.4)");
    }
    return {};
  }
  Result<void> count_term(const Directive* d, std::string_view what) {
    if (++terms_ > kMaxDnsTerms) {
      return permerror("too many DNS lookups (limit 10, RFC 7208 §4.6.4) at " +
                       (d != nullptr ? d->text() : std::string(what)));
    }
    return {};
  }
  // A typed lookup: records, or none (a void lookup, counted when
  // `count_void`), or temperror.
  template <class T>
  Result<std::vector<T>> answer(Result<dns::Answer<T>> a, bool count_void) {
    if (a) return std::move(a->records);
    if (a.error().kind == ErrorKind::kSyntax)
      return std::vector<T>{};  // not a valid name: no match
    if (a.error().kind != ErrorKind::kNotFound) return temporary_error("DNS: " + a.error().message);
    if (count_void && ++voids_ > kMaxVoidLookups) {
      return permerror("too many void DNS lookups (limit 2, RFC 7208 §4.6.4)");
    }
    return std::vector<T>{};
  }
  Result<std::vector<std::string>> addresses(const std::string& name) {
    MOX_TRY(budget());
    return answer(ip_.v6 ? r_.aaaa(name) : r_.a(name), true);
  }
  // The target of a directive: its domain-spec expanded, or the current
  // domain; nullopt when the expansion is not a usable name.
  std::optional<std::string> target(const std::string& spec, const std::string& domain) {
    if (spec.empty()) return domain;
    ctx_.domain = domain;
    auto t = expand_macros(spec, ctx_, false);
    if (!t) return std::nullopt;
    return std::move(t).value();
  }
  bool matches_any(const std::vector<std::string>& addrs, const Directive& d) const {
    for (const auto& a : addrs) {
      auto ip = detail::parse_ip(a);
      if (ip && detail::in_network(ip_, *ip, ip_.v6 ? d.cidr6 : d.cidr4)) return true;
    }
    return false;
  }
  Result<bool> match(const Directive& d, const std::string& domain);
  Result<bool> match_mx(const Directive& d, const std::string& name);
  Result<bool> match_include(const std::string& name);
  // `want_exp`: compute the explanation of a fail (not inside include, §6.2).
  Result<Outcome> evaluate(const std::string& domain, bool want_exp);
  std::string explain(const Record& rec, const std::string& domain);

  dns::Resolver& r_;
  detail::Ip ip_;
  Clock::time_point deadline_;
  MacroContext ctx_;
  int terms_ = 0;
  int voids_ = 0;
};

Result<bool> Checker::match_mx(const Directive& d, const std::string& name) {
  MOX_TRY(budget());
  MOX_ASSIGN(auto mxs, answer(r_.mx(name), true));
  if (mxs.size() > static_cast<size_t>(kMaxMxNames)) {
    return permerror(name + " has " + std::to_string(mxs.size()) +
                     " MX records (limit 10, RFC 7208 §4.6.4)");
  }
  for (const dns::Mx& mx : mxs) {
    if (mx.host.empty()) continue;  // null MX (RFC 7505)
    MOX_ASSIGN(auto addrs, addresses(mx.host));
    if (matches_any(addrs, d)) return true;
  }
  return false;
}

// §5.2: pass matches; fail, softfail and neutral do not; temperror stays;
// permerror and none are permerror.
Result<bool> Checker::match_include(const std::string& name) {
  MOX_ASSIGN(Outcome o, evaluate(name, false));
  switch (o.status) {
    case Status::kPass:
      return true;
    case Status::kNone:
      return permerror("include:" + name + " has no SPF record (RFC 7208 §5.2)");
    default:
      break;
  }
  return false;
}

Result<bool> Checker::match(const Directive& d, const std::string& domain) {
  if (d.kind == Kind::kAll) return true;
  if (d.kind == Kind::kIp4 || d.kind == Kind::kIp6) {
    auto net = detail::parse_ip(d.ip);
    return net && detail::in_network(ip_, *net, ip_.v6 ? d.cidr6 : d.cidr4);
  }
  MOX_TRY(count_term(&d, ""));
  std::optional<std::string> name = target(d.domain_spec, domain);
  if (!name) return false;
  switch (d.kind) {
    case Kind::kInclude:
      return match_include(*name);
    case Kind::kA: {
      MOX_ASSIGN(auto addrs, addresses(*name));
      return matches_any(addrs, d);
    }
    case Kind::kMx:
      return match_mx(d, *name);
    case Kind::kPtr: {  // §5.5
      MOX_TRY(budget());
      for (const auto& n : detail::validated_names(r_, ip_, kMaxPtrNames)) {
        if (detail::name_within(n, *name)) return true;
      }
      return false;
    }
    case Kind::kExists: {  // §5.7: an A lookup whatever the client's family
      MOX_TRY(budget());
      MOX_ASSIGN(auto addrs, answer(r_.a(*name), true));
      return !addrs.empty();
    }
    default:
      return false;
  }
}

// §6.2: the explanation of a fail; any problem gives the default.
std::string Checker::explain(const Record& rec, const std::string& domain) {
  std::string fallback =
      domain + " does not designate " + detail::readable(ip_) + " as permitted sender";
  if (!rec.exp || !budget()) return fallback;
  ctx_.domain = domain;
  auto name = expand_macros(*rec.exp, ctx_, false);
  if (!name) return fallback;
  auto txt = r_.txt(*name);
  if (!txt || txt->records.size() != 1) return fallback;
  for (char c : txt->records[0]) {
    if (static_cast<unsigned char>(c) > 0x7e) return fallback;
  }
  ctx_.domain = domain;
  auto text = expand_macros(txt->records[0], ctx_, true);
  return text && !text->empty() ? *text : fallback;
}

Result<Outcome> Checker::evaluate(const std::string& domain, bool want_exp) {
  MOX_TRY(budget());
  RecordLookup l = lookup_record(r_, domain);
  switch (l.status) {
    case Status::kNone:
      return Outcome{Status::kNone, "", "", l.problem};
    case Status::kTemperror:
      return temporary_error(l.problem);
    case Status::kPermerror:
      return permerror(l.problem);
    default:
      break;
  }
  for (const Directive& d : l.record.directives) {
    MOX_ASSIGN(bool m, match(d, domain));
    if (!m) continue;
    Outcome o{status_of(d.qualifier), d.text(), "", ""};
    if (o.status == Status::kFail && want_exp) o.explanation = explain(l.record, domain);
    return o;
  }
  if (l.record.redirect) {  // §6.1
    MOX_TRY(count_term(nullptr, "redirect=" + *l.record.redirect));
    std::optional<std::string> name = target(*l.record.redirect, domain);
    Result<Outcome> o = Outcome{};
    if (name) o = evaluate(*name, want_exp);  // the target's exp, not ours (§6.2)
    if (o && o->status == Status::kNone) {
      return permerror("redirect=" + name.value_or(*l.record.redirect) +
                       " has no SPF record (RFC 7208 §6.1)");
    }
    return o;
  }
  return Outcome{Status::kNeutral, "", "", ""};  // §4.7
}

Result<Outcome> Checker::check_host(const std::string& domain) { return evaluate(domain, true); }

}  // namespace

RecordLookup lookup_record(dns::Resolver& r, std::string_view domain) {
  RecordLookup l;
  auto name = detail::valid_domain(domain);
  if (!name) {
    l.problem = "\"" + std::string(domain) + "\" is not a valid domain name (RFC 7208 §4.3)";
    return l;
  }
  auto txt = r.txt(*name);
  if (!txt) {
    if (txt.error().kind == ErrorKind::kNotFound) return l;  // §4.4: none
    l.status = Status::kTemperror;
    l.problem = "DNS: " + txt.error().message;
    return l;
  }
  int n = 0;
  for (const std::string& t : txt->records) {
    if (!is_spf_record(t)) continue;
    ++n;
    l.text = t;
  }
  if (n == 0) return l;
  if (n > 1) {
    l.status = Status::kPermerror;
    l.problem = *name + " has " + std::to_string(n) + " SPF records (RFC 7208 §4.5)";
    return l;
  }
  auto rec = parse_record(l.text);
  if (!rec) {
    l.status = Status::kPermerror;
    l.problem = *name + ": " + rec.error().message;
    return l;
  }
  l.status = Status::kPass;
  l.record = std::move(rec).value();
  return l;
}

Received check_host(dns::Resolver& r, const Query& q, std::string_view domain,
                    std::string_view sender) {
  Received out;
  out.identity = "mailfrom";
  out.sender = std::string(sender);
  auto name = detail::valid_domain(domain);
  out.domain = name ? *name : std::string(domain);
  if (!name) {
    out.problem = "\"" + std::string(domain) + "\" is not a valid domain name (RFC 7208 §4.3)";
    return out;
  }
  auto ip = detail::parse_ip(q.ip);
  if (!ip) {
    out.status = Status::kPermerror;
    out.problem = "client IP \"" + q.ip + "\" is not an IP address";
    return out;
  }
  Checker c(r, q, *ip, sender);
  auto o = c.check_host(*name);
  if (!o) {
    out.status = is_temporary(o.error()) ? Status::kTemperror : Status::kPermerror;
    out.problem = o.error().message;
    return out;
  }
  out.status = o->status;
  out.mechanism = o->mechanism;
  out.explanation = o->explanation;
  out.problem = o->problem;
  return out;
}

}  // namespace mox::spf
