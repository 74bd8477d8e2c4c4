#include "auth/limiter.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <iterator>

namespace mox::auth {
namespace {

// An address reduced to what the classes need: IPv4 as 32 bits, IPv6 as its
// top 64 bits.
struct Addr {
  bool v4 = false;
  uint64_t bits = 0;  // IPv4 in the low 32 bits
};

Result<Addr> parse_ip(std::string_view ip) {
  const size_t pct = ip.find('%');
  const std::string s(ip.substr(0, pct));
  unsigned char b[16];
  Addr a;
  if (inet_pton(AF_INET, s.c_str(), b) == 1) {
    a.v4 = true;
    a.bits = (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
    return a;
  }
  if (s.find(':') == std::string::npos || inet_pton(AF_INET6, s.c_str(), b) != 1) {
    return syntax_error("invalid ip address");
  }
  static const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    a.v4 = true;
    a.bits = (uint64_t{b[12]} << 24) | (uint64_t{b[13]} << 16) | (uint64_t{b[14]} << 8) | b[15];
    return a;
  }
  for (int i = 0; i < 8; ++i) a.bits = (a.bits << 8) | b[i];
  return a;
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

// The first and last key of the address's network in a class.
struct Range {
  std::string lo, hi;
};
Range class_range(const Addr& a, const LimiterClass& c) {
  const int width = a.v4 ? 32 : 64;
  const int prefix = a.v4 ? c.ipv4_bits : c.ipv6_bits;
  const uint64_t all = a.v4 ? 0xffffffffULL : ~uint64_t{0};
  const uint64_t host = prefix >= width ? 0 : (all >> prefix);
  const uint64_t lo = a.bits & ~host & all;
  return Range{key_of(a.v4, lo), key_of(a.v4, lo | host)};
}

}  // namespace

Result<std::string> limiter_key(std::string_view ip) {
  MOX_ASSIGN(Addr a, parse_ip(ip));
  return key_of(a.v4, a.bits);
}

Result<bool> auth_allowed(store::Db& db, std::string_view ip, int64_t now) {
  MOX_ASSIGN(Addr a, parse_ip(ip));
  MOX_ASSIGN(auto q, db.prepare("SELECT COALESCE(SUM(Time > ?1), 0), COUNT(*) FROM AuthFailure "
                                "WHERE IPKey BETWEEN ?2 AND ?3 AND Time > ?4"));
  for (const LimiterClass& c : kLimiterClasses) {
    const Range r = class_range(a, c);
    q.reset();
    q.bind(1, now - kLimiterMinute).bind(2, r.lo).bind(3, r.hi).bind(4, now - kLimiterDay);
    MOX_TRY(q.step());
    if (q.col_int(0) >= c.per_minute || q.col_int(1) >= c.per_day) return false;
  }
  return true;
}

Result<bool> account_auth_allowed(store::Db& db, std::string_view account, std::string_view ip,
                                  int64_t now) {
  if (account.empty()) return true;
  MOX_ASSIGN(auto q, db.prepare("SELECT COALESCE(SUM(Time > ?1), 0), COUNT(*) FROM AuthFailure "
                                "WHERE Account = ?2 AND Time > ?3"));
  q.bind(1, now - kLimiterMinute).bind(2, account).bind(3, now - kLimiterDay);
  MOX_TRY(q.step());
  if (q.col_int(0) < kAccountPerMinute && q.col_int(1) < kAccountPerDay) return true;
  MOX_ASSIGN(auto known, db.prepare("SELECT 1 FROM LoginAttempt WHERE AccountName = ? AND "
                                    "RemoteIP = ? AND Result = 'ok' LIMIT 1"));
  known.bind(1, account).bind(2, ip);
  return known.step();
}

Status auth_failed(store::Db& db, std::string_view ip, std::string_view account, int64_t now) {
  MOX_ASSIGN(Addr a, parse_ip(ip));
  MOX_ASSIGN(auto tx, store::Tx::begin(db));
  MOX_ASSIGN(auto ins, db.prepare("INSERT INTO AuthFailure (IPKey, Time, Account) VALUES (?, ?, ?)"));
  MOX_TRY(ins.bind(1, key_of(a.v4, a.bits)).bind(2, now).bind(3, account).run());
  // Keep the table small without a full scan: prune the widest class's range.
  const Range r = class_range(a, kLimiterClasses[std::size(kLimiterClasses) - 1]);
  MOX_ASSIGN(auto del,
             db.prepare("DELETE FROM AuthFailure WHERE IPKey BETWEEN ? AND ? AND Time <= ?"));
  MOX_TRY(del.bind(1, r.lo).bind(2, r.hi).bind(3, now - kLimiterDay).run());
  return tx.commit();
}

Status auth_succeeded(store::Db& db, std::string_view ip, std::string_view account) {
  MOX_ASSIGN(std::string key, limiter_key(ip));
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM AuthFailure WHERE IPKey = ? AND Account = ?"));
  return del.bind(1, key).bind(2, account).run();
}

Result<int64_t> prune_auth_failures(store::Db& db, int64_t now) {
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM AuthFailure WHERE Time <= ?"));
  MOX_TRY(del.bind(1, now - kLimiterDay).run());
  return static_cast<int64_t>(db.changes());
}

}  // namespace mox::auth
