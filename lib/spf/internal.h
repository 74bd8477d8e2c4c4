// Helpers shared by the files of lib/spf; not part of its interface.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/resolver.h"

namespace mox::spf::detail {

// An IP address; IPv4 (also when given IPv4-mapped, RFC 4291 §2.5.5.2)
// in the first 4 bytes.
struct Ip {
  bool v6 = false;
  std::array<uint8_t, 16> b{};
};

// inet_pton(3) of the text; nullopt if it is not an address.
std::optional<Ip> parse_ip(std::string_view text);
// Whether `a` lies in the network `net`/`bits` of the same family.
bool in_network(const Ip& a, const Ip& net, int bits);
// %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (§7.3).
std::string dotted(const Ip& a);
// %{c}: inet_ntop(3) text, RFC 5952 for IPv6.
std::string readable(const Ip& a);

// The names of the PTR records of `ip` (at most `max`, §4.6.4) whose A or
// AAAA records include `ip` (§5.5); DNS errors leave names out.
std::vector<std::string> validated_names(dns::Resolver& r, const Ip& ip, int max);

// §4.3: `domain` lower-cased without a final dot when it is a valid
// domain name of at least two labels; nullopt otherwise.
std::optional<std::string> valid_domain(std::string_view domain);

// Whether `name` is `domain` or a name below it (ASCII case-insensitive).
bool name_within(std::string_view name, std::string_view domain);

}  // namespace mox::spf::detail
