// verify(): the HELO (§2.3) and MAIL FROM (§2.4) identities of one SMTP
// transaction.
#include "spf/check.h"
#include "spf/internal.h"

namespace mox::spf {

Verdict verify(dns::Resolver& r, const Query& q) {
  Verdict v;
  std::string postmaster = "postmaster@" + q.helo;
  if (!q.helo.empty() && q.helo.front() == '[') {
    v.helo.domain = q.helo;
    v.helo.problem = "HELO " + q.helo + " is an address literal, not a domain (RFC 7208 §2.3)";
  } else if (!detail::valid_domain(q.helo)) {
    v.helo.domain = q.helo;
    v.helo.problem = "HELO \"" + q.helo + "\" is not a domain name (RFC 7208 §2.3, §4.3)";
  } else {
    v.helo = check_host(r, q, q.helo, postmaster);
  }
  v.helo.identity = "helo";
  v.helo.sender = postmaster;
  if (q.mail_from.empty()) {  // §2.4: "<>" is checked as postmaster@<helo>
    v.mail_from = v.helo;
    v.mail_from.identity = "mailfrom";
    return v;
  }
  size_t at = q.mail_from.rfind('@');
  std::string domain = at == std::string::npos ? q.mail_from : q.mail_from.substr(at + 1);
  v.mail_from = check_host(r, q, domain, q.mail_from);
  return v;
}

}  // namespace mox::spf
