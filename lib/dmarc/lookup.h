// DMARC policy discovery (RFC 7489 §6.6.3): the TXT records at
// _dmarc.<From domain>, or, when there is no DMARC record there, at
// _dmarc.<organizational domain> (RFC 7489 §3.2, dmarc/publicsuffix.h).
//
//   none       no DMARC record at either name (TXT records that do not
//              start with v=DMARC1 are discarded, step 3)
//   pass       a record was found ("pass" only in the sense of this step;
//              evaluate() gives the message's result)
//   temperror  a DNS failure (SERVFAIL, timeout)
//   permerror  several DMARC records at one name, or a malformed record.
//              RFC 7489 §6.6.3 step 5 says DMARC is then not applied; the
//              result says why, and evaluate() never rejects on it.
//
// Thread safety: lookup() uses only its arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dmarc/publicsuffix.h"
#include "dmarc/record.h"
#include "dns/resolver.h"

namespace mox::dmarc {

// DMARC results as RFC 8601 §2.7.4 names them.
enum class Status { kNone, kPass, kFail, kTemperror, kPermerror };
std::string_view status_name(Status s);  // "none", "pass", ...

struct Lookup {
  Status status = Status::kNone;
  std::string domain;            // whose record was used (or last asked about): lower-case
  std::optional<Record> record;  // set with kPass
  std::string text;              // the record's TXT text as published
  bool authentic = false;        // the TXT answer was DNSSEC-validated
  std::string problem;           // why not kPass, for logs and A-R comments
};

Lookup lookup(dns::Resolver& r, const PublicSuffixList& psl, std::string_view from_domain);

}  // namespace mox::dmarc
