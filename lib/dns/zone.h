// A resolver that answers from a zone file, for tests and isolated setups
// (no test needs the internet; docs/DESIGN.md "Code conventions").
//
// The file is a subset of the RFC 1035 §5 master-file syntax:
//   $ORIGIN name          origin for relative names and "@" (§5.1)
//   $TTL seconds          default TTL (RFC 2308 §4)
//   owner [ttl] [class] type rdata
// The owner is a name, "@", or left out (a line starting with white space
// repeats the previous owner). TTL and class (IN only) are optional, in
// either order; TTLs may use BIND units (1h, 2d). Names without a final dot
// are relative to $ORIGIN (with no $ORIGIN they are taken as absolute).
// Comments start with ";", parentheses continue a record over lines, and
// quoted strings and "\X" / "\DDD" escapes are understood (§5.1).
// Types: A, AAAA, MX, TXT (one or more character-strings of at most 255
// octets, concatenated on lookup, RFC 7208 §3.3), TLSA (hex data may be
// split by white space), CNAME, PTR, NS, SOA. $INCLUDE, wildcards and other
// types are refused with the line number.
//
// Extension for tests of DNSSEC-dependent code (DANE): "$AUTHENTIC yes|no"
// marks the records that follow as DNSSEC-validated or not (default no).
// Negative answers are authentic when every record of the zone is.
// And for tests of temporary failures: "$SERVFAIL name" makes every lookup
// of that name (any type, also as a CNAME target) fail as a server failure
// would (RFC 1035 §4.1.1 RCODE 2): a kTemporary error.
//
// Lookups follow CNAME chains (up to 8 links, RFC 1034 §3.6.2). A name
// with no records but records below it (an empty non-terminal) is NODATA,
// not NXDOMAIN (RFC 8020 §2).
//
// A parsed zone is immutable; ZoneResolver is safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/resolver.h"
#include "util/result.h"

namespace mox::dns {

struct ZoneRecord {
  std::string owner;  // normalized (normalize_name)
  Type type = Type::kA;
  uint32_t ttl = 0;
  std::string rdata;  // wire format
  bool authentic = false;
  bool servfail = false;  // a $SERVFAIL line: no record, lookups of `owner` fail
};

struct ZoneLimits {
  size_t max_size = 16 * 1024 * 1024;  // bytes of zone text
  size_t max_records = 100000;
};

// Parses zone text; kSyntax errors name the line ("line 12: ...").
// `origin` is the initial $ORIGIN ("" for none).
Result<std::vector<ZoneRecord>> parse_zone(std::string_view text, std::string_view origin = "",
                                           const ZoneLimits& limits = {});

class ZoneResolver : public Resolver {
 public:
  // Reads and parses the file; errors name it.
  static Result<std::unique_ptr<ZoneResolver>> load(const std::string& path);
  static Result<std::unique_ptr<ZoneResolver>> from_text(std::string_view text);

  Result<Response> query(std::string_view name, Type type) override;

 private:
  struct RRset {
    std::vector<std::string> rdata;
    bool authentic = true;
  };
  ZoneResolver() = default;
  Status add(std::vector<ZoneRecord> records);
  bool exists(const std::string& name) const;

  std::map<std::pair<std::string, Type>, RRset> rrsets_;
  std::set<std::string> names_;     // owners and all their ancestors
  std::set<std::string> servfail_;  // $SERVFAIL names
  bool negative_authentic_ = false;
};

}  // namespace mox::dns
