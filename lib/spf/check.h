// SPF evaluation (RFC 7208 §4): check_host() for one identity, and verify()
// for the two identities of an SMTP transaction, HELO (§2.3) and MAIL FROM
// (§2.4).
//
// Rules, with their sections:
//   - the domain must be a valid multi-label name, else "none" (§4.3);
//   - records come from TXT only (§3.1, §4.4); a DNS failure is
//     "temperror", NXDOMAIN or no record "none", several records
//     "permerror" (§4.5), a syntax error anywhere "permerror" (§4.6);
//   - at most 10 terms that query DNS (include a mx ptr exists redirect)
//     per check, nested ones included, and at most 2 void lookups (no
//     records or NXDOMAIN), else "permerror" (§4.6.4); an "mx" with more
//     than 10 MX names is "permerror", "ptr" looks at 10 PTR names at most;
//   - include maps pass to a match, fail/softfail/neutral to no match,
//     temperror to temperror, permerror and none to permerror (§5.2);
//   - redirect applies only when no directive matched; a target without a
//     record is "permerror" (§6.1);
//   - exp is fetched only for "fail"; any problem gives the default
//     explanation (§6.2);
//   - the whole check gets a time budget of 20 s (§4.6.4), then "temperror".
//
// Thread safety: check_host and verify use only their arguments; the
// resolver must be safe for the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"
#include "spf/record.h"
#include "spf/status.h"
#include "util/result.h"

namespace mox::spf {

// Limits of §4.6.4.
constexpr int kMaxDnsTerms = 10;
constexpr int kMaxVoidLookups = 2;
constexpr int kMaxMxNames = 10;
constexpr int kMaxPtrNames = 10;

struct Query {
  std::string ip;         // client IP text, IPv4 or IPv6 (IPv4-mapped IPv6 is treated as IPv4)
  std::string mail_from;  // "local@domain" of MAIL FROM; "" for the null reverse-path "<>"
  std::string helo;       // the EHLO/HELO argument as given
  std::string receiver;   // our host name, for %{r}
  int64_t now = 0;        // unix seconds for %{t}; 0: current time
  std::chrono::milliseconds budget{20000};  // for one check_host, nested checks included (§4.6.4)
};

struct Received {  // the result of check_host() for one identity
  Status status = Status::kNone;
  std::string identity;  // "mailfrom" or "helo" (§9.1 identity=)
  std::string domain;    // the domain checked (lower-case)
  std::string sender;  // the address checked (postmaster@<helo> for "<>" and for HELO, §2.3/§2.4)
  std::string mechanism;    // the directive that matched as Directive::text(); "" when none matched
  std::string explanation;  // fail only: the exp= string expanded (§6.2), else a default
  std::string problem;      // temperror/permerror (and none for a bad domain): why, one line
};

// §4 check_host() for `domain` and `sender` (local@domain, or @domain).
// `identity` of the result is "mailfrom"; verify() sets "helo".
Received check_host(dns::Resolver& r, const Query& q, std::string_view domain,
                    std::string_view sender);

struct Verdict {
  Received
      helo;  // HELO identity (§2.3); kNone with problem set for an address literal or non-domain
  Received
      mail_from;  // MAIL FROM identity (§2.4); for "<>" the HELO result with identity "mailfrom"
};
Verdict verify(dns::Resolver& r, const Query& q);

// The SPF record of a domain, as check_host selects it (§4.4, §4.5), for
// tools: kNone (no record, or not a valid domain, §4.3), kPass (found;
// `text` and `record` set), kTemperror (DNS failure) or kPermerror
// (several records, or a syntax error: `text` is set, `problem` says why).
struct RecordLookup {
  Status status = Status::kNone;
  std::string text;
  Record record;
  std::string problem;
};
RecordLookup lookup_record(dns::Resolver& r, std::string_view domain);

}  // namespace mox::spf
