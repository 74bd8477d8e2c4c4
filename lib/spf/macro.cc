#include "spf/macro.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "spf/internal.h"

namespace mox::spf {
namespace {

// One "%{...}" after parsing (§7.1).
struct Expand {
  char letter = 0;     // lower case
  bool upper = false;  // URL-encode the value (§7.3)
  int digits = 0;      // 0: keep all parts
  bool reverse = false;
  std::string delimiters;
};

bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

// Walks a macro-string; `literal` gets text to copy, `expand` each macro.
// Shared by the syntax check and the expansion.
template <class Literal, class OnExpand>
Result<void> walk(std::string_view s, bool explanation, bool* ends_with_macro, Literal literal,
                  OnExpand expand) {
  bool last_macro = false;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c != '%') {
      auto u = static_cast<unsigned char>(c);
      bool ok = (u >= 0x21 && u <= 0x7e) || (explanation && u == ' ');
      if (!ok)
        return syntax_error("character " + std::to_string(u) +
                            " not allowed in macro-string (RFC 7208 §7.1)");
      literal(std::string_view(&s[i], 1));
      last_macro = false;
      ++i;
      continue;
    }
    if (i + 1 >= s.size())
      return syntax_error("\"%\" at the end of a macro-string (RFC 7208 §7.1)");
    char n = s[i + 1];
    last_macro = true;
    if (n == '%' || n == '_' || n == '-') {
      literal(n == '%' ? "%" : n == '_' ? " " : "%20");
      i += 2;
      continue;
    }
    if (n != '{') return syntax_error(std::string("invalid macro \"%") + n + "\" (RFC 7208 §7.1)");
    size_t end = s.find('}', i + 2);
    if (end == std::string_view::npos) return syntax_error("unterminated macro (RFC 7208 §7.1)");
    std::string_view body = s.substr(i + 2, end - i - 2);
    if (body.empty()) return syntax_error("empty macro \"%{}\" (RFC 7208 §7.1)");
    Expand e;
    e.upper = std::isupper(static_cast<unsigned char>(body[0])) != 0;
    e.letter = static_cast<char>(std::tolower(static_cast<unsigned char>(body[0])));
    std::string_view letters = explanation ? "slodiphcrtv" : "slodiphv";
    if (letters.find(e.letter) == std::string_view::npos) {
      return syntax_error(std::string("invalid macro letter \"") + body[0] + "\"" +
                          (explanation ? "" : " in a domain-spec") + " (RFC 7208 §7.1)");
    }
    size_t j = 1;
    bool have_digits = false;
    while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) {
      have_digits = true;
      if (e.digits <= kMaxMacroDigits) e.digits = e.digits * 10 + (body[j] - '0');
      ++j;
    }
    if (have_digits && e.digits == 0)
      return syntax_error("macro digit transformer 0 (RFC 7208 §7.3)");
    if (j < body.size() && (body[j] == 'r' || body[j] == 'R')) {
      e.reverse = true;
      ++j;
    }
    for (; j < body.size(); ++j) {
      if (!is_delimiter(body[j])) {
        return syntax_error("invalid character in macro \"%{" + std::string(body) +
                            "}\" (RFC 7208 §7.1)");
      }
      e.delimiters += body[j];
    }
    MOX_TRY(expand(e));
    i = end + 1;
  }
  if (ends_with_macro != nullptr) *ends_with_macro = last_macro;
  return {};
}

std::vector<std::string_view> split(std::string_view v, std::string_view delims) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i == v.size() || delims.find(v[i]) != std::string_view::npos) {
      parts.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// §7.3: split on the delimiters, reverse, keep the right-most parts, join
// with ".".
std::string transform(std::string_view value, const Expand& e) {
  auto parts = split(value, e.delimiters.empty() ? "." : std::string_view(e.delimiters));
  if (e.reverse) std::reverse(parts.begin(), parts.end());
  size_t first = 0;
  if (e.digits > 0 && static_cast<size_t>(e.digits) < parts.size()) first = parts.size() - e.digits;
  std::string out;
  for (size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

// RFC 3986 §2.1 percent-encoding of all but the unreserved characters
// (§2.3), for upper-case macro letters (RFC 7208 §7.3).
std::string url_encode(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// %{p} (§7.3): a validated name of the client, preferably the domain or a
// name below it; "unknown" when there is none.
std::string validated_name(const MacroContext& ctx, const detail::Ip& ip) {
  if (ctx.resolver == nullptr) return "unknown";
  auto names = detail::validated_names(*ctx.resolver, ip, 10);
  for (const auto& n : names) {
    if (detail::name_within(n, ctx.domain) && n.size() == ctx.domain.size()) return n;
  }
  for (const auto& n : names) {
    if (detail::name_within(n, ctx.domain)) return n;
  }
  return names.empty() ? "unknown" : names.front();
}

Result<std::string> value_of(const MacroContext& ctx, char letter) {
  switch (letter) {
    case 's':
      return ctx.sender;
    case 'l':
      return ctx.local;
    case 'o':
      return ctx.sender_domain;
    case 'd':
      return ctx.domain;
    case 'h':
      return ctx.helo;
    case 'r':
      return ctx.receiver.empty() ? std::string("unknown") : ctx.receiver;
    case 't':
      return std::to_string(ctx.timestamp);
    default:
      break;
  }
  auto ip = detail::parse_ip(ctx.ip);
  if (!ip) return syntax_error("macro %{" + std::string(1, letter) + "} without a valid client IP");
  switch (letter) {
    case 'i':
      return detail::dotted(*ip);
    case 'c':
      return detail::readable(*ip);
    case 'v':
      return std::string(ip->v6 ? "ip6" : "in-addr");
    default:
      return validated_name(ctx, *ip);  // 'p'
  }
}

// §7.3 last paragraph: whole labels are removed from the left.
Result<std::string> truncate_domain(std::string s) {
  while (s.size() > kMaxDomainLength) {
    size_t dot = s.find('.');
    if (dot == std::string::npos)
      return syntax_error("expanded domain name longer than 253 octets");
    s.erase(0, dot + 1);
  }
  return s;
}

}  // namespace

Result<void> check_macro_string(std::string_view spec, bool explanation, bool* ends_with_macro) {
  return walk(
      spec, explanation, ends_with_macro, [](std::string_view) {},
      [](const Expand&) -> Result<void> { return {}; });
}

Result<std::string> expand_macros(std::string_view spec, const MacroContext& ctx,
                                  bool explanation) {
  std::string out;
  MOX_TRY(walk(
      spec, explanation, nullptr, [&out](std::string_view lit) { out += lit; },
      [&](const Expand& e) -> Result<void> {
        MOX_ASSIGN(std::string v, value_of(ctx, e.letter));
        std::string t = transform(v, e);
        out += e.upper ? url_encode(t) : t;
        return {};
      }));
  if (explanation) return out;
  return truncate_domain(std::move(out));
}

}  // namespace mox::spf
