#include "dmarc/evaluate.h"

namespace mox::dmarc {
namespace {

// §6.6.3 / RFC 9091 §4.1: p for the domain of the record itself; for a
// subdomain sp (default p), or np when the From domain does not exist
// (default sp, then p).
Policy policy_for(const Record& r, bool subdomain, bool exists) {
  if (!subdomain) return r.policy;
  if (!exists && r.nonexistent_policy) return *r.nonexistent_policy;
  return r.subdomain_policy.value_or(r.policy);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string failure_reason(const Evaluation& e, const Record& r, const Identifiers& ids,
                           bool applied) {
  std::string s =
      "DMARC policy of " + e.domain + " is " + std::string(policy_name(e.policy)) + ": ";
  s +=
      "no aligned SPF pass (SPF domain " + (ids.spf_domain.empty() ? "none" : ids.spf_domain) + ")";
  s += " and no aligned DKIM signature";
  if (!ids.dkim_pass_domains.empty()) s += " (signed by " + join(ids.dkim_pass_domains) + ")";
  if (e.status == Status::kTemperror) s += "; a temporary DNS error may have hidden a pass";
  if (e.policy != Policy::kNone && !applied) {
    s += "; policy not applied to this message (pct=" + std::to_string(r.percent) + ")";
  }
  return s;
}

}  // namespace

bool aligned(const PublicSuffixList& psl, std::string_view a, std::string_view b, Alignment mode) {
  std::string na = normalize_domain(a), nb = normalize_domain(b);
  if (na.empty() || nb.empty()) return false;
  if (mode == Alignment::kStrict) return na == nb;
  return psl.organizational_domain(na) == psl.organizational_domain(nb);
}

Evaluation evaluate(const Lookup& l, const PublicSuffixList& psl, const Identifiers& ids,
                    int sample) {
  Evaluation e;
  e.domain = l.domain;
  if (l.status != Status::kPass || !l.record) {
    e.status = l.status == Status::kPass ? Status::kPermerror : l.status;
    e.reason = l.problem;
    return e;
  }
  const Record& r = *l.record;
  std::string from = normalize_domain(ids.from_domain);
  e.policy = policy_for(r, from != l.domain, ids.from_domain_exists);
  e.spf_aligned = ids.spf_pass && aligned(psl, ids.spf_domain, from, r.aspf);  // §3.1.2
  for (const std::string& d : ids.dkim_pass_domains) {
    e.dkim_aligned = e.dkim_aligned || aligned(psl, d, from, r.adkim);  // §3.1.1
  }
  if (e.spf_aligned || e.dkim_aligned) {  // §6.6.2 step 6: either one suffices
    e.status = Status::kPass;
    e.reason = std::string("DMARC pass for ") + from + ": aligned " +
               (e.spf_aligned ? "SPF" : "DKIM") + " pass";
    return e;
  }
  e.status = ids.spf_temperror || ids.dkim_temperror ? Status::kTemperror : Status::kFail;
  bool applied = sample < r.percent;  // §6.6.4
  e.reject = e.status == Status::kFail && e.policy != Policy::kNone && applied;
  e.reason = failure_reason(e, r, ids, applied);
  return e;
}

Evaluation verify(dns::Resolver& r, const PublicSuffixList& psl, const Identifiers& ids,
                  int sample) {
  return evaluate(lookup(r, psl, ids.from_domain), psl, ids, sample);
}

}  // namespace mox::dmarc
