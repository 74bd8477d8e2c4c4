// DMARC evaluation of one message (RFC 7489 §6.6.2, §6.6.4): identifier
// alignment (§3.1), the policy that applies (p=, sp= for subdomains, np=
// for non-existent subdomains, RFC 9091 §4.1) and pct= sampling (§6.6.4).
//
// mox refuses quarantined mail as it refuses rejected mail, so `reject`
// says either; pct= sampling does not downgrade reject to quarantine as
// §6.6.4 describes, since both lead to the same action here.
//
// Thread safety: uses only its arguments.
#pragma once

#include <string>
#include <vector>

#include "dmarc/lookup.h"
#include "dmarc/publicsuffix.h"
#include "dns/resolver.h"

namespace mox::dmarc {

struct Identifiers {
  std::string from_domain;                     // RFC5322.From domain (dmarc/from.h)
  std::string spf_domain;                      // MAIL FROM domain; HELO domain for "<>" (§3.1.2)
  bool spf_pass = false;                       // the SPF result for spf_domain was pass
  std::vector<std::string> dkim_pass_domains;  // d= of each signature that verified
  bool from_domain_exists = true;              // false: the From domain is NXDOMAIN (for np=)
  // A temporary error in SPF or in a DKIM key lookup: without an aligned
  // pass the result is temperror, not fail (a later try may pass).
  bool spf_temperror = false;
  bool dkim_temperror = false;
};

struct Evaluation {
  Status status = Status::kNone;  // none, pass, fail, temperror, permerror
  bool reject =
      false;  // a failing message that the policy (after pct) asks to reject or quarantine
  Policy policy = Policy::kNone;  // the policy that applied (p, sp or np)
  bool spf_aligned = false, dkim_aligned = false;
  std::string domain;  // the record's domain
  std::string reason;  // one line for a postmaster
};

// `sample` is a random draw in [0,100): the policy is applied when
// sample < pct (§6.6.4). Callers pass a random number, tests fixed ones.
Evaluation evaluate(const Lookup& l, const PublicSuffixList& psl, const Identifiers& ids,
                    int sample);

// lookup() of ids.from_domain, then evaluate().
Evaluation verify(dns::Resolver& r, const PublicSuffixList& psl, const Identifiers& ids,
                  int sample);

// Whether `a` and `b` are aligned (§3.1.1, §3.1.2): the same name when
// strict, the same organizational domain when relaxed. Case-insensitive.
bool aligned(const PublicSuffixList& psl, std::string_view a, std::string_view b, Alignment mode);

}  // namespace mox::dmarc
