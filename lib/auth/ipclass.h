// The classes of a remote address that the per-IP limiters count by (the
// failed-auth limiter, auth/limiter.h, and the connection limiter,
// auth/connlimit.h), as mox's ratelimit package does: the exact IPv4
// address or IPv6 /64, the IPv4 /26 or IPv6 /48, and the IPv4 /21 or IPv6
// /32. A wider class allows a multiple (`factor`) of the narrowest one's
// limit, so one host cannot use up its neighbours' share while a network
// still gets more than one host.
//
// Keys: the narrowest class, as fixed-width hex ("4:c0000201",
// "6:20010db800000000"), so that the wider classes are key ranges that a
// (…, IPKey, …) index serves with BETWEEN. IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) count as IPv4; a "%zone" suffix is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::auth {

struct IPClass {
  int ipv4_bits, ipv6_bits;
  int64_t factor;  // times the narrowest class's limit
};
inline constexpr IPClass kIPClasses[] = {
    {32, 64, 1},
    {26, 48, 3},
    {21, 32, 9},
};

// An address reduced to what the classes need.
class IPAddr {
 public:
  // Textual IPv4 or IPv6. Errors: kSyntax for anything else.
  static Result<IPAddr> parse(std::string_view ip);

  bool v4() const { return v4_; }
  // 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104.
  bool loopback() const { return loopback_; }
  // The key of the narrowest class.
  std::string key() const;
  struct KeyRange {
    std::string lo, hi;  // inclusive
  };
  // The first and last key of the address's network in class `c`.
  KeyRange range(const IPClass& c) const;

 private:
  IPAddr() = default;
  bool v4_ = false;
  bool loopback_ = false;
  uint64_t bits_ = 0;  // IPv4 in the low 32 bits; IPv6: the top 64 bits
};

}  // namespace mox::auth
