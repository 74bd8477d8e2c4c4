#include "store/flags.h"

#include <strings.h>

#include <algorithm>

namespace mox::store {
namespace {

// RFC 9051 §9: ATOM-CHAR is any CHAR except atom-specials
// ( "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]" ).
bool is_atom_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("(){%*\"\\]").find(static_cast<char>(c)) == std::string_view::npos;
}

bool is_keyword(std::string_view k) {
  return !k.empty() && k.size() <= 200 && std::all_of(k.begin(), k.end(), [](char c) {
    return is_atom_char(static_cast<unsigned char>(c));
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int64_t known_bits() {
  int64_t all = 0;
  for (const auto& f : kFlagNames) all |= f.bit;
  return all;
}

}  // namespace

Result<MessageFlags> parse_flags(const std::vector<std::string>& names) {
  MessageFlags out;
  for (const std::string& n : names) {
    bool known = false;
    for (const auto& f : kFlagNames) {
      if (strcasecmp(n.c_str(), f.name) == 0) {
        out.bits |= f.bit;
        known = true;
        break;
      }
    }
    if (known) continue;
    if (!n.empty() && n[0] == '\\') return syntax_error("unknown system flag " + n);
    if (!is_keyword(n)) return syntax_error("invalid keyword \"" + n + "\"");
    std::string k = lower(n);
    if (std::find(out.keywords.begin(), out.keywords.end(), k) == out.keywords.end()) {
      out.keywords.push_back(std::move(k));
    }
  }
  return out;
}

std::vector<std::string> flag_names(const MessageFlags& f) {
  std::vector<std::string> out;
  for (const auto& fn : kFlagNames) {
    if (f.bits & fn.bit) out.push_back(fn.name);
  }
  out.insert(out.end(), f.keywords.begin(), f.keywords.end());
  return out;
}

Status check_flags(const MessageFlags& f) {
  if ((f.bits & ~known_bits()) != 0) return syntax_error("unknown flag bits");
  MOX_ASSIGN(MessageFlags again, parse_flags(f.keywords));
  if (again.bits != 0 || again.keywords != f.keywords) {
    return syntax_error("keywords must be lower case, unique and not well-known flags");
  }
  return {};
}

std::string keywords_column(const std::vector<std::string>& keywords) {
  std::string out;
  for (const auto& k : keywords) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

}  // namespace mox::store
