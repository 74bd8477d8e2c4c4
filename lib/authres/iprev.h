// iprev (RFC 8601 §3): whether the client's IP address has a reverse name
// that resolves back to it. The PTR names of the address are looked up,
// then the A (IPv4) or AAAA (IPv6) records of each, at most
// kMaxNames of them, until one holds the address.
//
// Results, as RFC 8601 §2.7.3 defines them:
//   pass       a PTR name's A/AAAA records hold the address
//   fail       PTR names exist, but none resolves to the address (records
//              of other addresses, NXDOMAIN or NODATA for the names)
//   temperror  a DNS failure (SERVFAIL, timeout) on the PTR lookup, or on
//              a forward lookup when no name matched
//   permerror  no PTR data for the address (NXDOMAIN or NODATA): "a later
//              attempt is unlikely to produce a final result"; also a
//              malformed address
//
// Thread safety: uses only its arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"

namespace mox::authres {

enum class IprevStatus { kPass, kFail, kTemperror, kPermerror };
std::string_view iprev_name(IprevStatus s);  // "pass", "fail", "temperror", "permerror"

struct Iprev {
  IprevStatus status = IprevStatus::kPermerror;
  std::string name;                // the first forward-confirmed name, "" when none
  std::vector<std::string> names;  // the PTR names, lower-case, no final dot
  std::string problem;             // why not pass
};

// Forward lookups per check: a bound on the work one client can cause.
constexpr size_t kMaxNames = 10;

Iprev check_iprev(dns::Resolver& r, std::string_view ip);

}  // namespace mox::authres
