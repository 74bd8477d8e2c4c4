// Zone-file records: directives, owner/TTL/class/type, and RDATA in
// presentation format to wire format (RFC 1035 §5, §3.3).
#include "dns/zone.h"

#include <arpa/inet.h>

#include <cctype>
#include <optional>

#include "dns/rdata.h"
#include "dns/zone_lexer.h"

namespace mox::dns {
namespace {

using zone_internal::Entry;
using zone_internal::Token;

struct State {
  std::string origin;
  std::optional<uint32_t> default_ttl;
  std::string last_owner;
  bool have_owner = false;
  bool authentic = false;
  std::vector<std::string> servfail;  // names of $SERVFAIL lines
};

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// A name in presentation form: "@", absolute ("a.example."), or relative to
// the origin (RFC 1035 §5.1).
Result<std::string> resolve_name(const Token& t, const State& st) {
  if (t.escaped || t.quoted) return syntax_error("escapes and quotes in names are not supported");
  if (t.text == "@") return st.origin;
  if (t.text == ".") return std::string();
  if (!t.text.empty() && t.text.back() == '.') return normalize_name(t.text);
  MOX_ASSIGN(std::string rel, normalize_name(t.text));
  if (st.origin.empty()) return rel;
  return normalize_name(rel + "." + st.origin);
}

// Decimal seconds, or BIND-style units: 1w2d3h4m5s.
std::optional<uint32_t> parse_ttl(std::string_view s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  uint64_t total = 0, n = 0;
  bool digits = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      n = n * 10 + static_cast<uint64_t>(c - '0');
      digits = true;
      if (n > 0xffffffffULL) return std::nullopt;
      continue;
    }
    if (!digits) return std::nullopt;
    uint64_t mult = 0;
    switch (std::tolower(static_cast<unsigned char>(c))) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      case 'w':
        mult = 604800;
        break;
      default:
        return std::nullopt;
    }
    total += n * mult;
    if (total > 0x7fffffffULL) return std::nullopt;
    n = 0;
    digits = false;
  }
  total += n;
  if (total > 0x7fffffffULL) return std::nullopt;  // RFC 2181 §8
  return static_cast<uint32_t>(total);
}

std::optional<uint32_t> parse_uint(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::optional<Type> parse_type(std::string_view s) {
  static const std::pair<const char*, Type> kTypes[] = {
      {"A", Type::kA},     {"NS", Type::kNs},     {"CNAME", Type::kCname},
      {"SOA", Type::kSoa}, {"PTR", Type::kPtr},   {"MX", Type::kMx},
      {"TXT", Type::kTxt}, {"AAAA", Type::kAaaa}, {"TLSA", Type::kTlsa},
  };
  std::string u = upper(s);
  for (const auto& [name, t] : kTypes) {
    if (u == name) return t;
  }
  return std::nullopt;
}

using Args = std::vector<Token>;

Status want(const Args& a, size_t n, Type t) {
  if (a.size() == n) return {};
  return syntax_error(std::string(type_name(t)) + " needs " + std::to_string(n) +
                      " field(s), got " + std::to_string(a.size()));
}

Result<std::string> ip_rdata(const Args& a, Type t) {
  MOX_TRY(want(a, 1, t));
  unsigned char buf[16];
  int af = t == Type::kA ? AF_INET : AF_INET6;
  if (::inet_pton(af, a[0].text.c_str(), buf) != 1) {
    return syntax_error("bad " + std::string(type_name(t)) + " address \"" + a[0].text + "\"");
  }
  return std::string(reinterpret_cast<char*>(buf), t == Type::kA ? 4 : 16);
}

Result<std::string> txt_rdata(const Args& a) {
  if (a.empty()) return syntax_error("TXT needs at least one string");
  std::string out;
  for (const Token& t : a) {
    if (t.text.size() > 255)
      return syntax_error("TXT string longer than 255 octets (RFC 1035 §3.3)");
    out += static_cast<char>(t.text.size());
    out += t.text;
  }
  return out;
}

// RFC 6698 §2.2: usage, selector, matching type, then hex that may contain
// white space.
Result<std::string> tlsa_rdata(const Args& a) {
  if (a.size() < 4) return syntax_error("TLSA needs usage, selector, matching type and data");
  std::string out;
  for (size_t i = 0; i < 3; ++i) {
    auto v = parse_uint(a[i].text, 255);
    if (!v) return syntax_error("bad TLSA number \"" + a[i].text + "\"");
    out += static_cast<char>(*v);
  }
  std::string hex;
  for (size_t i = 3; i < a.size(); ++i) hex += a[i].text;
  if (hex.size() % 2 != 0) return syntax_error("TLSA data has an odd number of hex digits");
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto hi = std::isxdigit(static_cast<unsigned char>(hex[i]));
    auto lo = std::isxdigit(static_cast<unsigned char>(hex[i + 1]));
    if (!hi || !lo) return syntax_error("TLSA data is not hex");
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

Result<std::string> soa_rdata(const Args& a, const State& st) {
  MOX_TRY(want(a, 7, Type::kSoa));
  std::string out;
  for (size_t i = 0; i < 2; ++i) {
    MOX_ASSIGN(std::string n, resolve_name(a[i], st));
    out += name_to_wire(n);
  }
  for (size_t i = 2; i < 7; ++i) {
    auto v = i == 2 ? parse_uint(a[i].text, 0xffffffffULL) : parse_ttl(a[i].text);
    if (!v) return syntax_error("bad SOA number \"" + a[i].text + "\"");
    put_u32(out, *v);
  }
  return out;
}

Result<std::string> rdata(Type type, const Args& a, const State& st) {
  switch (type) {
    case Type::kA:
    case Type::kAaaa:
      return ip_rdata(a, type);
    case Type::kTxt:
      return txt_rdata(a);
    case Type::kTlsa:
      return tlsa_rdata(a);
    case Type::kSoa:
      return soa_rdata(a, st);
    case Type::kMx: {
      MOX_TRY(want(a, 2, type));
      auto pref = parse_uint(a[0].text, 0xffff);
      if (!pref) return syntax_error("bad MX preference \"" + a[0].text + "\"");
      MOX_ASSIGN(std::string host, resolve_name(a[1], st));
      std::string out;
      put_u16(out, static_cast<uint16_t>(*pref));
      return out + name_to_wire(host);
    }
    case Type::kCname:
    case Type::kPtr:
    case Type::kNs: {
      MOX_TRY(want(a, 1, type));
      MOX_ASSIGN(std::string target, resolve_name(a[0], st));
      return name_to_wire(target);
    }
  }
  return syntax_error("unsupported type");
}

Status directive(const Entry& e, State& st) {
  std::string d = upper(e.tokens[0].text);
  if (e.tokens.size() != 2) return syntax_error(d + " needs one argument");
  const Token& arg = e.tokens[1];
  if (d == "$ORIGIN") {
    if (arg.text.empty() || arg.text.back() != '.') {
      // RFC 1035 §5.1 allows a relative $ORIGIN; take it relative to the old one.
      MOX_ASSIGN(st.origin, resolve_name(arg, st));
    } else {
      MOX_ASSIGN(st.origin, normalize_name(arg.text));
    }
    return {};
  }
  if (d == "$TTL") {
    st.default_ttl = parse_ttl(arg.text);
    if (!st.default_ttl) return syntax_error("bad $TTL \"" + arg.text + "\"");
    return {};
  }
  if (d == "$AUTHENTIC") {
    std::string v = upper(arg.text);
    if (v != "YES" && v != "NO") return syntax_error("$AUTHENTIC takes yes or no");
    st.authentic = v == "YES";
    return {};
  }
  if (d == "$SERVFAIL") {
    MOX_ASSIGN(std::string name, resolve_name(arg, st));
    st.servfail.push_back(std::move(name));
    return {};
  }
  return syntax_error("unsupported directive " + d);
}

// owner [ttl] [class] type rdata...
Result<ZoneRecord> record(const Entry& e, State& st) {
  ZoneRecord r;
  size_t i = 0;
  if (e.blank_owner) {
    if (!st.have_owner) return syntax_error("no previous owner name");
    r.owner = st.last_owner;
  } else {
    MOX_ASSIGN(r.owner, resolve_name(e.tokens[i++], st));
    st.last_owner = r.owner;
    st.have_owner = true;
  }
  std::optional<uint32_t> ttl;
  bool have_class = false;
  std::optional<Type> type;
  for (; i < e.tokens.size() && !type; ++i) {
    const Token& t = e.tokens[i];
    if (t.quoted) return syntax_error("expected a type, got a quoted string");
    if (!ttl && std::isdigit(static_cast<unsigned char>(t.text[0]))) {
      ttl = parse_ttl(t.text);
      if (!ttl) return syntax_error("bad TTL \"" + t.text + "\"");
    } else if (!have_class && upper(t.text) == "IN") {
      have_class = true;
    } else if (!(type = parse_type(t.text))) {
      return syntax_error("unsupported type or class \"" + t.text + "\"");
    }
  }
  if (!type) return syntax_error("record without a type");
  r.type = *type;
  r.ttl = ttl.value_or(st.default_ttl.value_or(3600));
  r.authentic = st.authentic;
  Args args(e.tokens.begin() + static_cast<std::ptrdiff_t>(i), e.tokens.end());
  MOX_ASSIGN(r.rdata, rdata(r.type, args, st));
  return r;
}

}  // namespace

Result<std::vector<ZoneRecord>> parse_zone(std::string_view text, std::string_view origin,
                                           const ZoneLimits& limits) {
  if (text.size() > limits.max_size) {
    return syntax_error("zone larger than " + std::to_string(limits.max_size) + " bytes");
  }
  State st;
  if (!origin.empty()) {
    MOX_ASSIGN(st.origin, normalize_name(origin));
  }
  MOX_ASSIGN(std::vector<Entry> entries, zone_internal::lex_zone(text));
  std::vector<ZoneRecord> out;
  for (const Entry& e : entries) {
    auto at = [&e](const Error& err) {
      return Error{err.kind, "line " + std::to_string(e.line) + ": " + err.message};
    };
    if (out.size() >= limits.max_records) {
      return syntax_error("more than " + std::to_string(limits.max_records) + " records");
    }
    if (!e.blank_owner && !e.tokens[0].quoted && e.tokens[0].text.starts_with("$")) {
      if (Status s = directive(e, st); !s) return at(s.error());
      for (std::string& name : st.servfail) {
        ZoneRecord r;
        r.owner = std::move(name);
        r.servfail = true;
        out.push_back(std::move(r));
      }
      st.servfail.clear();
      continue;
    }
    auto r = record(e, st);
    if (!r) return at(r.error());
    out.push_back(std::move(r).value());
  }
  return out;
}

}  // namespace mox::dns
