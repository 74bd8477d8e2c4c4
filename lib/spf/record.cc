#include "spf/record.h"

#include <arpa/inet.h>

#include <cctype>

#include "spf/macro.h"

namespace mox::spf {
namespace {

using Kind = Directive::Kind;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Error bad_term(std::string_view term, const std::string& why) {
  return syntax_error("invalid term \"" + std::string(term) + "\": " + why);
}

// toplabel = ( *alphanum ALPHA *alphanum ) /
//            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )   (§12)
bool is_toplabel(std::string_view l) {
  if (l.empty() || l.front() == '-' || l.back() == '-') return false;
  bool alpha_or_dash = false;
  for (char ch : l) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalpha(c) || c == '-') {
      alpha_or_dash = true;
    } else if (!std::isdigit(c)) {
      return false;
    }
  }
  return alpha_or_dash;
}

// domain-spec = macro-string domain-end; domain-end = ( "." toplabel
// [ "." ] ) / macro-expand (§12).
Result<void> check_domain_spec(std::string_view spec) {
  if (spec.empty()) return syntax_error("empty domain-spec");
  bool macro_end = false;
  MOX_TRY(check_macro_string(spec, false, &macro_end));
  if (macro_end) return {};
  std::string_view s = spec;
  if (s.back() == '.') s.remove_suffix(1);
  size_t dot = s.rfind('.');
  if (dot == std::string_view::npos || !is_toplabel(s.substr(dot + 1))) {
    return syntax_error("domain-spec \"" + std::string(spec) +
                        "\" does not end in a macro or \".\" toplabel (RFC 7208 §7.1)");
  }
  return {};
}

// "/" ( "0" / %x31-39 0*N DIGIT ), at most `max` (§5.6).
Result<int> parse_cidr(std::string_view d, int max) {
  if (d.empty() || d.size() > 3 || (d.size() > 1 && d[0] == '0')) {
    return syntax_error("bad CIDR length \"" + std::string(d) + "\"");
  }
  int v = 0;
  for (char c : d) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return syntax_error("bad CIDR length \"" + std::string(d) + "\"");
    v = v * 10 + (c - '0');
  }
  if (v > max)
    return syntax_error("CIDR length " + std::to_string(v) + " above " + std::to_string(max));
  return v;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Splits a trailing dual-cidr-length off `arg` (§5.6).
Result<void> take_dual_cidr(std::string_view& arg, Directive& d) {
  size_t p = arg.rfind('/');
  if (p != std::string_view::npos && p > 0 && arg[p - 1] == '/' && all_digits(arg.substr(p + 1))) {
    MOX_ASSIGN(d.cidr6, parse_cidr(arg.substr(p + 1), 128));
    arg = arg.substr(0, p - 1);
    p = arg.rfind('/');
  }
  if (p != std::string_view::npos && all_digits(arg.substr(p + 1))) {
    MOX_ASSIGN(d.cidr4, parse_cidr(arg.substr(p + 1), 32));
    arg = arg.substr(0, p);
  }
  return {};
}

Result<void> parse_ip_network(std::string_view arg, Directive& d) {
  bool v6 = d.kind == Kind::kIp6;
  size_t slash = arg.find('/');
  std::string_view ip = arg.substr(0, slash);
  if (slash != std::string_view::npos) {
    MOX_ASSIGN(int bits, parse_cidr(arg.substr(slash + 1), v6 ? 128 : 32));
    (v6 ? d.cidr6 : d.cidr4) = bits;
  }
  unsigned char buf[16];
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, std::string(ip).c_str(), buf) != 1) {
    return syntax_error(std::string("not an ") + (v6 ? "IPv6" : "IPv4") + " address: \"" +
                        std::string(ip) + "\"");
  }
  d.ip = std::string(ip);
  return {};
}

std::optional<Kind> kind_of(std::string_view name) {
  static constexpr std::pair<std::string_view, Kind> kKinds[] = {
      {"all", Kind::kAll}, {"include", Kind::kInclude}, {"a", Kind::kA},
      {"mx", Kind::kMx},   {"ptr", Kind::kPtr},         {"ip4", Kind::kIp4},
      {"ip6", Kind::kIp6}, {"exists", Kind::kExists}};
  for (const auto& [n, k] : kKinds) {
    if (iequals(name, n)) return k;
  }
  return std::nullopt;
}

// directive = [ qualifier ] mechanism (§4.6.1, §5).
Result<Directive> parse_directive(std::string_view term) {
  Directive d;
  std::string_view t = term;
  if (t[0] == '+' || t[0] == '-' || t[0] == '~' || t[0] == '?') {
    d.qualifier = t[0];
    t.remove_prefix(1);
  }
  size_t end = t.find_first_of(":/");
  auto kind = kind_of(t.substr(0, end));
  if (!kind) return bad_term(term, "unknown mechanism");
  d.kind = *kind;
  std::string_view rest = end == std::string_view::npos ? std::string_view() : t.substr(end);
  Result<void> ok;
  switch (d.kind) {
    case Kind::kAll:
      if (!rest.empty()) return bad_term(term, "\"all\" takes no argument (RFC 7208 §5.1)");
      break;
    case Kind::kInclude:
    case Kind::kExists:
    case Kind::kPtr:
      if (rest.empty() && d.kind == Kind::kPtr) break;
      if (rest.empty() || rest[0] != ':') return bad_term(term, "domain-spec required after \":\"");
      d.domain_spec = std::string(rest.substr(1));
      ok = check_domain_spec(d.domain_spec);
      break;
    case Kind::kA:
    case Kind::kMx:
      ok = take_dual_cidr(rest, d);
      if (ok && !rest.empty()) {
        if (rest[0] != ':') return bad_term(term, "bad CIDR length");
        d.domain_spec = std::string(rest.substr(1));
        ok = check_domain_spec(d.domain_spec);
      }
      break;
    case Kind::kIp4:
    case Kind::kIp6:
      if (rest.empty() || rest[0] != ':') return bad_term(term, "address required after \":\"");
      ok = parse_ip_network(rest.substr(1), d);
      break;
  }
  if (!ok) return bad_term(term, ok.error().message);
  return d;
}

// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (§12).
bool is_modifier_name(std::string_view n) {
  if (n.empty() || !std::isalpha(static_cast<unsigned char>(n[0]))) return false;
  for (char ch : n) {
    auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

Result<void> parse_modifier(std::string_view term, size_t eq, Record& r) {
  std::string_view name = term.substr(0, eq);
  std::string value(term.substr(eq + 1));
  if (!is_modifier_name(name)) return bad_term(term, "bad modifier name");
  bool redirect = iequals(name, "redirect");
  if (redirect || iequals(name, "exp")) {
    auto& slot = redirect ? r.redirect : r.exp;
    if (slot) return bad_term(term, std::string(name) + "= given twice (RFC 7208 §6)");
    auto ok = check_domain_spec(value);
    if (!ok) return bad_term(term, ok.error().message);
    slot = value;
    return {};
  }
  auto ok = check_macro_string(value, true);
  if (!ok) return bad_term(term, ok.error().message);
  r.other_modifiers.emplace_back(std::string(name), value);
  return {};
}

}  // namespace

std::string_view kind_name(Directive::Kind k) {
  switch (k) {
    case Kind::kAll:
      return "all";
    case Kind::kInclude:
      return "include";
    case Kind::kA:
      return "a";
    case Kind::kMx:
      return "mx";
    case Kind::kPtr:
      return "ptr";
    case Kind::kIp4:
      return "ip4";
    case Kind::kIp6:
      return "ip6";
    case Kind::kExists:
      return "exists";
  }
  return "all";
}

std::string Directive::text() const {
  std::string out;
  if (qualifier != '+') out += qualifier;
  out += kind_name(kind);
  if (kind == Kind::kIp4 || kind == Kind::kIp6) {
    out += ":" + ip;
    int bits = kind == Kind::kIp4 ? cidr4 : cidr6;
    if (bits != (kind == Kind::kIp4 ? 32 : 128)) out += "/" + std::to_string(bits);
    return out;
  }
  if (!domain_spec.empty()) out += ":" + domain_spec;
  if (kind == Kind::kA || kind == Kind::kMx) {
    if (cidr4 != 32) out += "/" + std::to_string(cidr4);
    if (cidr6 != 128) out += "//" + std::to_string(cidr6);
  }
  return out;
}

bool is_spf_record(std::string_view txt) {
  return txt.size() >= 6 && iequals(txt.substr(0, 6), "v=spf1") &&
         (txt.size() == 6 || txt[6] == ' ');
}

Result<Record> parse_record(std::string_view txt) {
  if (!is_spf_record(txt))
    return syntax_error("record does not start with \"v=spf1\" (RFC 7208 §4.5)");
  for (char ch : txt) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e) {
      return syntax_error("character " + std::to_string(c) + " in record (RFC 7208 §3, §4.6.1)");
    }
  }
  Record r;
  size_t i = 6;
  while (i < txt.size()) {
    if (txt[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = txt.find(' ', i);
    std::string_view term =
        txt.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    i += term.size();
    size_t sep = term.find_first_of("=:/");
    if (sep != std::string_view::npos && term[sep] == '=') {
      MOX_TRY(parse_modifier(term, sep, r));
      continue;
    }
    MOX_ASSIGN(Directive d, parse_directive(term));
    r.directives.push_back(std::move(d));
  }
  return r;
}

}  // namespace mox::spf
