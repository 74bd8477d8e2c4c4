#include "spf/internal.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace mox::spf::detail {

std::optional<Ip> parse_ip(std::string_view text) {
  std::string s(text);
  Ip ip;
  if (::inet_pton(AF_INET, s.c_str(), ip.b.data()) == 1) return ip;
  if (::inet_pton(AF_INET6, s.c_str(), ip.b.data()) != 1) return std::nullopt;
  // ::ffff:a.b.c.d is the IPv4 client a.b.c.d (RFC 4291 §2.5.5.2).
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, ip.b.begin())) {
    std::copy(ip.b.begin() + 12, ip.b.end(), ip.b.begin());
    std::fill(ip.b.begin() + 4, ip.b.end(), 0);
    return ip;
  }
  ip.v6 = true;
  return ip;
}

bool in_network(const Ip& a, const Ip& net, int bits) {
  if (a.v6 != net.v6) return false;
  int max = a.v6 ? 128 : 32;
  if (bits < 0 || bits > max) return false;
  for (int i = 0; i < bits / 8; ++i) {
    if (a.b[i] != net.b[i]) return false;
  }
  if (bits % 8 == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
  return (a.b[bits / 8] & mask) == (net.b[bits / 8] & mask);
}

std::string dotted(const Ip& a) {
  std::string out;
  char part[16];
  if (!a.v6) {
    std::snprintf(part, sizeof part, "%u.%u.%u.%u", a.b[0], a.b[1], a.b[2], a.b[3]);
    return part;
  }
  for (int i = 0; i < 16; ++i) {
    std::snprintf(part, sizeof part, "%x.%x", a.b[i] >> 4, a.b[i] & 0xf);
    if (i > 0) out += '.';
    out += part;
  }
  return out;
}

std::string readable(const Ip& a) {
  char buf[INET6_ADDRSTRLEN];
  if (::inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.b.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

std::optional<std::string> valid_domain(std::string_view domain) {
  auto n = dns::normalize_name(domain);
  if (!n || n->find('.') == std::string::npos) return std::nullopt;
  return std::move(n).value();
}

bool name_within(std::string_view name, std::string_view domain) {
  auto lower_eq = [](std::string_view x, std::string_view y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(x[i])) !=
          std::tolower(static_cast<unsigned char>(y[i]))) {
        return false;
      }
    }
    return true;
  };
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (lower_eq(name, domain)) return true;
  return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
         lower_eq(name.substr(name.size() - domain.size()), domain);
}

std::vector<std::string> validated_names(dns::Resolver& r, const Ip& ip, int max) {
  std::vector<std::string> out;
  auto ptrs = r.ptr(readable(ip));
  if (!ptrs) return out;  // §5.5: a DNS error means no match
  int n = 0;
  for (const std::string& name : ptrs->records) {
    if (n++ >= max) break;  // §4.6.4: names beyond the first 10 are ignored
    auto addrs = ip.v6 ? r.aaaa(name) : r.a(name);
    if (!addrs) continue;
    for (const std::string& text : addrs->records) {
      auto a = parse_ip(text);
      if (a && a->v6 == ip.v6 && a->b == ip.b) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

}  // namespace mox::spf::detail
