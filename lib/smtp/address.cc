#include "smtp/address.h"

#include <cstring>

#include "util/utf8.h"

namespace mox::smtp {

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

Result<Domain> Domain::parse(std::string_view s) {
  if (s.empty()) return syntax_error("empty domain");
  if (s.size() > 253) return syntax_error("domain too long");
  if (!valid_utf8(s)) return syntax_error("domain is not valid UTF-8");
  std::string out;
  out.reserve(s.size());
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty()) return syntax_error("empty label in domain \"" + std::string(s) + "\"");
    if (label.size() > 63) return syntax_error("label longer than 63 octets in domain");
    if (label.front() == '-' || label.back() == '-') {
      return syntax_error("label starts or ends with a hyphen in domain \"" + std::string(s) +
                          "\"");
    }
    for (char ch : label) {
      unsigned char c = static_cast<unsigned char>(ch);
      bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-';
      if (!ok) return syntax_error("invalid character in domain \"" + std::string(s) + "\"");
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : ch;
    }
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return Domain(std::move(out));
}

namespace {

bool is_dot_string(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  char prev = 0;
  for (char ch : v) {
    if (ch == '.' && prev == '.') return false;
    if (ch != '.' && !is_atext(static_cast<unsigned char>(ch))) return false;
    prev = ch;
  }
  return true;
}

}  // namespace

Result<Localpart> Localpart::from_value(std::string_view v) {
  if (v.size() > 64) return syntax_error("localpart longer than 64 octets");
  if (!valid_utf8(v)) return syntax_error("localpart is not valid UTF-8");
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return syntax_error("control character in localpart");
  }
  return Localpart(std::string(v));
}

Result<Localpart> Localpart::parse(std::string_view s) {
  if (s.empty() || s.front() != '"') {
    if (!s.empty() && !is_dot_string(s)) {
      return syntax_error("invalid localpart \"" + std::string(s) + "\"");
    }
    return from_value(s);
  }
  // RFC 5321 §4.1.2 Quoted-string.
  if (s.size() < 2 || s.back() != '"') return syntax_error("unterminated quoted localpart");
  std::string v;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (i + 2 >= s.size()) return syntax_error("bad escape in quoted localpart");
      unsigned char n = static_cast<unsigned char>(s[++i]);
      if (n < 32 || n > 126) return syntax_error("bad escape in quoted localpart");
      v += static_cast<char>(n);
    } else if (c == '"' || (c < 32 && c != 0) || c == 0 || c == 127) {
      return syntax_error("invalid character in quoted localpart");
    } else {
      v += static_cast<char>(c);
    }
  }
  return from_value(v);
}

std::string Localpart::wire() const {
  if (is_dot_string(value_)) return value_;
  std::string out = "\"";
  for (char c : value_) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Result<Address> Address::parse(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos)
    return syntax_error("address \"" + std::string(s) + "\" has no @");
  MOX_ASSIGN(Localpart lp, Localpart::parse(s.substr(0, at)));
  MOX_ASSIGN(Domain d, Domain::parse(s.substr(at + 1)));
  return Address(std::move(lp), std::move(d));
}

}  // namespace mox::smtp
