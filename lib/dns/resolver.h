// DNS lookups for mail: TXT (SPF, DKIM, DMARC), MX, A/AAAA, TLSA (DANE) and
// PTR, each answer marked authentic when DNSSEC validated it (the AD bit,
// RFC 4035 §3.2.3).
//
// Resolver is an interface (docs/DESIGN.md "Code conventions"): the real one
// over libunbound (dns/unbound.h) and one that answers from a zone file
// (dns/zone.h) for tests and isolated setups. Code that needs DNS takes a
// `Resolver&`.
//
// Two levels:
//   query()   the one virtual: the raw answer to one question, with
//             NXDOMAIN (RFC 8020: the name does not exist) and NODATA
//             (RFC 2308 §2.2: the name exists, no records of the type) told
//             apart as data, with the authenticity of the denial (DANE needs
//             it, RFC 7672 §2.2).
//   txt() ... typed lookups over query(): records, or an Error of kind
//             kNotFound (message says "NXDOMAIN" or "NODATA"), kTemporary
//             (SERVFAIL, timeout, DNSSEC bogus), kPermanent (other failures,
//             malformed records), kSyntax (a malformed name).
//
// Names are given with or without the final dot and are matched without
// regard to ASCII case (RFC 4343). Names in answers (MX hosts, PTR, CNAME
// targets) are lower-case, without the final dot.
//
// Thread safety: implementations may be used from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dns {

// RR types (RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6698 §7.1).
enum class Type : uint16_t {
  kA = 1,
  kNs = 2,
  kCname = 5,
  kSoa = 6,
  kPtr = 12,
  kMx = 15,
  kTxt = 16,
  kAaaa = 28,
  kTlsa = 52,
};
std::string_view type_name(Type t);  // "TXT", ...

// The answer to one question. For kOk `rdata` holds the wire-format RDATA
// (RFC 1035 §3.3, names uncompressed) of each record of the asked type,
// after following CNAMEs.
struct Response {
  enum class Status { kOk, kNxDomain, kNoData };
  Status status = Status::kOk;
  bool authentic = false;  // DNSSEC-validated answer or denial
  std::vector<std::string> rdata;
};

template <class T>
struct Answer {
  std::vector<T> records;  // never empty
  bool authentic = false;
};

// RFC 1035 §3.3.9. `host` is "" for a null MX ("0 .", RFC 7505 §3).
struct Mx {
  uint16_t preference = 0;
  std::string host;
};

// RFC 6698 §2.1; `data` is the raw certificate association data.
struct Tlsa {
  uint8_t usage = 0, selector = 0, matching_type = 0;
  std::string data;
};

class Resolver {
 public:
  virtual ~Resolver() = default;

  // The raw answer for `name`/`type`; errors only for failures (kTemporary,
  // kPermanent) and malformed names (kSyntax).
  virtual Result<Response> query(std::string_view name, Type type) = 0;

  // Each TXT record's character-strings concatenated (RFC 7208 §3.3,
  // RFC 6376 §3.6.2.2).
  Result<Answer<std::string>> txt(std::string_view name);
  Result<Answer<Mx>> mx(std::string_view name);
  Result<Answer<std::string>> a(std::string_view name);     // "192.0.2.1"
  Result<Answer<std::string>> aaaa(std::string_view name);  // RFC 5952 text
  Result<Answer<Tlsa>> tlsa(std::string_view name);
  // PTR of an IPv4 or IPv6 address in text (RFC 1035 §3.5, RFC 3596 §2.5).
  Result<Answer<std::string>> ptr(std::string_view ip);
};

// Where lookups go (mox.conf(5) DNS).
struct ResolverOptions {
  std::string zone_file;                     // non-empty: answer from this file (dns/zone.h)
  std::vector<std::string> nameservers;      // "IP" or "IP@port"; non-empty: not resolv.conf's
  std::vector<std::string> forwarders;       // "IP" or "IP@port", after resolv.conf's
  std::chrono::milliseconds timeout{10000};  // per lookup
};

// A zone-file resolver when `zone_file` is non-empty (dns/zone.h), else the
// libunbound resolver (dns/unbound.h) with the system's resolv.conf, or
// with `nameservers` instead of it, plus `forwarders`.
Result<std::unique_ptr<Resolver>> make_resolver(const ResolverOptions& options);
inline Result<std::unique_ptr<Resolver>> make_resolver(const std::string& zone_file) {
  ResolverOptions o;
  o.zone_file = zone_file;
  return make_resolver(o);
}

// `name` lower-cased without its final dot, checked: labels of 1..63 octets,
// at most 253 octets in all (RFC 1035 §2.3.4), no white space or control
// characters. The root "." gives "". kSyntax otherwise.
Result<std::string> normalize_name(std::string_view name);

// The reverse-lookup name of an IP address: "4.3.2.1.in-addr.arpa" or the
// nibble form under ip6.arpa. kSyntax if `ip` is not an address.
Result<std::string> reverse_name(std::string_view ip);

}  // namespace mox::dns
