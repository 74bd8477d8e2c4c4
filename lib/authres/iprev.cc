#include "authres/iprev.h"

#include <arpa/inet.h>

#include <cstring>

namespace mox::authres {
namespace {

// The address in binary, with its family; family 0 when `ip` is not one.
struct Binary {
  int family = 0;
  unsigned char bytes[16] = {};
  bool operator==(const Binary& o) const {
    return family == o.family && std::memcmp(bytes, o.bytes, sizeof bytes) == 0;
  }
};

Binary to_binary(std::string_view ip) {
  Binary b;
  std::string s(ip);
  if (inet_pton(AF_INET, s.c_str(), b.bytes) == 1) {
    b.family = AF_INET;
  } else if (inet_pton(AF_INET6, s.c_str(), b.bytes) == 1) {
    b.family = AF_INET6;
  }
  return b;
}

}  // namespace

std::string_view iprev_name(IprevStatus s) {
  switch (s) {
    case IprevStatus::kPass:
      return "pass";
    case IprevStatus::kFail:
      return "fail";
    case IprevStatus::kTemperror:
      return "temperror";
    case IprevStatus::kPermerror:
      return "permerror";
  }
  return "permerror";
}

Iprev check_iprev(dns::Resolver& r, std::string_view ip) {
  Iprev out;
  Binary want = to_binary(ip);
  if (want.family == 0) {
    out.problem = "not an IP address: \"" + std::string(ip) + "\"";
    return out;
  }
  auto ptr = r.ptr(ip);
  if (!ptr) {
    bool temporary =
        ptr.error().kind != ErrorKind::kNotFound && ptr.error().kind != ErrorKind::kSyntax;
    out.status = temporary ? IprevStatus::kTemperror : IprevStatus::kPermerror;
    out.problem = ptr.error().message;
    return out;
  }
  out.names = ptr->records;
  std::string last_error;
  for (size_t i = 0; i < out.names.size() && i < kMaxNames; ++i) {
    const std::string& name = out.names[i];
    auto fwd = want.family == AF_INET ? r.a(name) : r.aaaa(name);
    if (!fwd) {
      if (fwd.error().kind != ErrorKind::kNotFound) last_error = fwd.error().message;
      continue;
    }
    for (const std::string& addr : fwd->records) {
      if (to_binary(addr) == want) {
        out.status = IprevStatus::kPass;
        out.name = name;
        return out;
      }
    }
  }
  if (!last_error.empty()) {
    out.status = IprevStatus::kTemperror;
    out.problem = last_error;
    return out;
  }
  out.status = IprevStatus::kFail;
  out.problem = "no name of " + std::string(ip) + " resolves back to it";
  return out;
}

}  // namespace mox::authres
