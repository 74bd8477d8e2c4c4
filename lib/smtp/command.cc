#include "smtp/command.h"

#include <algorithm>
#include <cctype>

namespace mox::smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); value: any printable except "=" and SP.
bool valid_keyword(std::string_view k) {
  if (k.empty() || !std::isalnum(static_cast<unsigned char>(k[0]))) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

}  // namespace

Command split_command(std::string_view line) {
  size_t sp = line.find(' ');
  Command c;
  c.verb = upper(line.substr(0, sp));
  if (sp != std::string_view::npos) c.args = std::string(line.substr(sp + 1));
  return c;
}

Result<PathArgs> parse_path_args(std::string_view args, std::string_view prefix) {
  if (args.size() < prefix.size() || upper(args.substr(0, prefix.size())) != prefix) {
    return syntax_error("expected " + std::string(prefix) + "<address>");
  }
  args.remove_prefix(prefix.size());
  while (!args.empty() && args[0] == ' ') args.remove_prefix(1);
  if (args.empty() || args[0] != '<') return syntax_error("expected <address>");
  // Find the closing '>' outside a quoted localpart.
  size_t i = 1;
  bool quoted = false;
  for (; i < args.size(); ++i) {
    char c = args[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '>') break;
  }
  if (i >= args.size()) return syntax_error("missing > in path");
  std::string_view inner = args.substr(1, i - 1);
  std::string_view rest = args.substr(i + 1);
  PathArgs out;
  // Source route: "@one,@two:user@domain" (RFC 5321 §4.1.2 A-d-l), ignored.
  if (!inner.empty() && inner[0] == '@') {
    size_t colon = inner.find(':');
    if (colon == std::string_view::npos) return syntax_error("invalid source route");
    inner.remove_prefix(colon + 1);
  }
  if (!inner.empty()) {
    auto a = Address::parse(inner);
    if (!a) return syntax_error("invalid address: " + a.error().message);
    out.path.address = std::move(*a);
    out.path.non_ascii = has_non_ascii(inner);
  }
  while (!rest.empty()) {
    if (rest[0] != ' ') return syntax_error("expected space before parameter");
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t end = rest.find(' ');
    std::string_view param = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    size_t eq = param.find('=');
    std::string_view key = param.substr(0, eq);
    if (!valid_keyword(key))
      return syntax_error("invalid parameter \"" + std::string(param) + "\"");
    std::string value = eq == std::string_view::npos ? "" : std::string(param.substr(eq + 1));
    out.params.emplace_back(upper(key), value);
  }
  return out;
}

bool valid_ehlo_argument(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '[') return s.back() == ']' && s.size() > 2;
  return Domain::parse(s).ok();
}

}  // namespace mox::smtp
