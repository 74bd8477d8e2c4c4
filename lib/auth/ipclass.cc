#include "auth/ipclass.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace mox::auth {
namespace {

uint64_t be32(const unsigned char* b) {
  return (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
}

std::string key_of(bool v4, uint64_t bits) {
  char buf[24];
  if (v4) {
    std::snprintf(buf, sizeof buf, "4:%08llx", static_cast<unsigned long long>(bits));
  } else {
    std::snprintf(buf, sizeof buf, "6:%016llx", static_cast<unsigned long long>(bits));
  }
  return buf;
}

}  // namespace

Result<IPAddr> IPAddr::parse(std::string_view ip) {
  const size_t pct = ip.find('%');
  const std::string s(ip.substr(0, pct));
  unsigned char b[16];
  IPAddr a;
  if (inet_pton(AF_INET, s.c_str(), b) == 1) {
    a.v4_ = true;
    a.bits_ = be32(b);
    a.loopback_ = b[0] == 127;
    return a;
  }
  if (s.find(':') == std::string::npos || inet_pton(AF_INET6, s.c_str(), b) != 1) {
    return syntax_error("invalid ip address");
  }
  static const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    a.v4_ = true;
    a.bits_ = be32(b + 12);
    a.loopback_ = b[12] == 127;
    return a;
  }
  static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  a.loopback_ = std::memcmp(b, kLoopback, sizeof kLoopback) == 0;
  for (int i = 0; i < 8; ++i) a.bits_ = (a.bits_ << 8) | b[i];
  return a;
}

std::string IPAddr::key() const { return key_of(v4_, bits_); }

IPAddr::KeyRange IPAddr::range(const IPClass& c) const {
  const int width = v4_ ? 32 : 64;
  const int prefix = v4_ ? c.ipv4_bits : c.ipv6_bits;
  const uint64_t all = v4_ ? 0xffffffffULL : ~uint64_t{0};
  const uint64_t host = prefix >= width ? 0 : (all >> prefix);
  const uint64_t lo = bits_ & ~host & all;
  return KeyRange{key_of(v4_, lo), key_of(v4_, lo | host)};
}

}  // namespace mox::auth
