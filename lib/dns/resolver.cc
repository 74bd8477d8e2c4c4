#include "dns/resolver.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

#include "dns/rdata.h"
#include "dns/unbound.h"
#include "dns/zone.h"

namespace mox::dns {
namespace {

// Runs query() and decodes each RDATA with `decode`; a negative answer is a
// kNotFound error that says which kind it was.
template <class T, class Decode>
Result<Answer<T>> lookup(Resolver& r, std::string_view name, Type type, Decode decode) {
  MOX_ASSIGN(Response resp, r.query(name, type));
  std::string what = std::string(name) + ": ";
  switch (resp.status) {
    case Response::Status::kNxDomain:
      return not_found(what + "no such domain (NXDOMAIN)");
    case Response::Status::kNoData:
      return not_found(what + "no " + std::string(type_name(type)) + " records (NODATA)");
    case Response::Status::kOk:
      break;
  }
  if (resp.rdata.empty()) {
    return not_found(what + "no " + std::string(type_name(type)) + " records (NODATA)");
  }
  Answer<T> out;
  out.authentic = resp.authentic;
  for (const std::string& rd : resp.rdata) {
    auto v = decode(rd);
    if (!v) return Error{v.error().kind, what + v.error().message};
    out.records.push_back(std::move(v).value());
  }
  return out;
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kA:
      return "A";
    case Type::kNs:
      return "NS";
    case Type::kCname:
      return "CNAME";
    case Type::kSoa:
      return "SOA";
    case Type::kPtr:
      return "PTR";
    case Type::kMx:
      return "MX";
    case Type::kTxt:
      return "TXT";
    case Type::kAaaa:
      return "AAAA";
    case Type::kTlsa:
      return "TLSA";
  }
  return "?";
}

Result<Answer<std::string>> Resolver::txt(std::string_view name) {
  return lookup<std::string>(*this, name, Type::kTxt, decode_txt);
}
Result<Answer<Mx>> Resolver::mx(std::string_view name) {
  return lookup<Mx>(*this, name, Type::kMx, decode_mx);
}
Result<Answer<std::string>> Resolver::a(std::string_view name) {
  return lookup<std::string>(*this, name, Type::kA, decode_a);
}
Result<Answer<std::string>> Resolver::aaaa(std::string_view name) {
  return lookup<std::string>(*this, name, Type::kAaaa, decode_aaaa);
}
Result<Answer<Tlsa>> Resolver::tlsa(std::string_view name) {
  return lookup<Tlsa>(*this, name, Type::kTlsa, decode_tlsa);
}
Result<Answer<std::string>> Resolver::ptr(std::string_view ip) {
  MOX_ASSIGN(std::string name, reverse_name(ip));
  return lookup<std::string>(*this, name, Type::kPtr, decode_name);
}

Result<std::unique_ptr<Resolver>> make_resolver(const ResolverOptions& options) {
  if (!options.zone_file.empty()) {
    MOX_ASSIGN(auto zr, ZoneResolver::load(options.zone_file));
    return std::unique_ptr<Resolver>(std::move(zr));
  }
  UnboundOptions o;
  if (!options.nameservers.empty()) o.resolv_conf.clear();
  o.forwarders = options.nameservers;
  o.forwarders.insert(o.forwarders.end(), options.forwarders.begin(), options.forwarders.end());
  o.timeout = options.timeout;
  return make_unbound_resolver(o);
}

Result<std::string> normalize_name(std::string_view name) {
  if (name == ".") return std::string();
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return syntax_error("empty domain name");
  if (name.size() > 253) return syntax_error("domain name longer than 253 octets");
  std::string out;
  out.reserve(name.size());
  size_t label = 0;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (label == 0)
        return syntax_error("empty label in domain name \"" + std::string(name) + "\"");
      label = 0;
    } else if (c <= ' ' || c == 0x7f) {
      return syntax_error("white space or control character in domain name");
    } else if (++label > 63) {
      return syntax_error("label longer than 63 octets in domain name");
    }
    out += static_cast<char>(std::tolower(c));
  }
  if (label == 0) return syntax_error("empty label in domain name \"" + std::string(name) + "\"");
  return out;
}

Result<std::string> reverse_name(std::string_view ip) {
  std::string s(ip);
  unsigned char buf[16];
  std::string out;
  char part[8];
  if (::inet_pton(AF_INET, s.c_str(), buf) == 1) {
    for (int i = 3; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%u.", buf[i]);
      out += part;
    }
    return out + "in-addr.arpa";
  }
  if (::inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    for (int i = 15; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%x.%x.", buf[i] & 0xf, buf[i] >> 4);
      out += part;
    }
    return out + "ip6.arpa";
  }
  return syntax_error("not an IP address: \"" + s + "\"");
}

}  // namespace mox::dns
