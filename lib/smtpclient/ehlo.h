// The service extensions a server announces in its EHLO reply (RFC 5321
// §4.1.1.1, §2.2.2), as far as the client uses them. I/O-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpclient/reply.h"

namespace mox::smtpclient {

struct Extensions {
  bool pipelining = false;             // RFC 2920
  bool starttls = false;               // RFC 3207
  bool eightbitmime = false;           // RFC 6152
  bool smtputf8 = false;               // RFC 6531
  bool enhanced_status_codes = false;  // RFC 2034
  bool requiretls = false;             // RFC 8689
  bool chunking = false;               // RFC 3030 (announced; the client sends DATA)
  // RFC 1870 §4: SIZE with the largest message the server accepts; 0 means
  // no fixed limit; nullopt when SIZE was not announced.
  std::optional<uint64_t> size;
  // RFC 4954 §3: upper-cased SASL mechanisms of "AUTH m1 m2" (also the
  // old "AUTH=m1 m2" form).
  std::vector<std::string> auth;
  // Every keyword (upper case) in announcement order, for logs and has().
  std::vector<std::string> keywords;

  bool has(std::string_view keyword) const;  // case-insensitive
};

// Reads the lines after the first (which holds the server's name and a
// greeting). Unknown keywords are kept in `keywords`; malformed parameters
// (e.g. "SIZE x") leave that extension off.
Extensions parse_ehlo(const Reply& ehlo);

}  // namespace mox::smtpclient
