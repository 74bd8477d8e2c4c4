#include "dmarc/record.h"

#include <set>

#include "util/ascii.h"

namespace mox::dmarc {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// Splits at `sep`, each part without surrounding WSP (§6.4 allows *WSP
// around the separators of rua, ruf, fo and rf).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(trim_wsp(s.substr(0, at)));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

std::optional<Policy> parse_policy(std::string_view v) {
  std::string l = ascii_lower(v);
  if (l == "none") return Policy::kNone;
  if (l == "quarantine") return Policy::kQuarantine;
  if (l == "reject") return Policy::kReject;
  return std::nullopt;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// §6.4 dmarc-uri: URI (RFC 3986 §3: scheme ":" ...) ["!" 1*DIGIT [k/m/g/t]].
// Commas inside a URI must be %-encoded (§6.2), so a list splits at ",".
bool valid_uri(std::string_view u) {
  size_t colon = u.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == u.size()) return false;
  if (!is_alpha(u[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = u[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : u) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  size_t bang = u.rfind('!');
  if (bang == std::string_view::npos || bang < colon) return true;
  std::string_view size = u.substr(bang + 1);
  if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos) {
    size.remove_suffix(1);
  }
  return all_digits(size);
}

Result<std::vector<std::string>> parse_uris(std::string_view tag, std::string_view v) {
  std::vector<std::string> out;
  for (std::string_view u : split(v, ',')) {
    if (!valid_uri(u))
      return syntax_error(std::string(tag) + ": bad URI \"" + std::string(u) + "\"");
    out.emplace_back(u);
  }
  return out;
}

// fo= (§6.3: "0", "1", "d", "s") and rf= (Keyword list) joined by ":".
Result<std::string> parse_colon_list(std::string_view tag, std::string_view v, bool fo) {
  std::string out;
  for (std::string_view item : split(v, ':')) {
    std::string l = ascii_lower(item);
    bool ok = fo ? (l == "0" || l == "1" || l == "d" || l == "s") : !l.empty();
    for (char c : l) ok = ok && (is_alpha(c) || is_digit(c) || c == '-');
    if (!ok) return syntax_error(std::string(tag) + ": bad value \"" + std::string(item) + "\"");
    if (!out.empty()) out += ':';
    out += l;
  }
  return out;
}

Result<Alignment> parse_alignment(std::string_view tag, std::string_view v) {
  std::string l = ascii_lower(v);
  if (l == "r") return Alignment::kRelaxed;
  if (l == "s") return Alignment::kStrict;
  return syntax_error(std::string(tag) + ": must be r or s, not \"" + std::string(v) + "\"");
}

// What parsing the tags learned beyond the record's fields, for the p=
// fallback of §6.6.3 step 6.
struct Pending {
  bool have_p = false;
  std::string p_problem = "p: missing (required, RFC 7489 §6.3)";
  std::string sp_problem;
};

Status apply_tag(Record& r, Pending& pending, const std::string& name, std::string_view v) {
  if (name == "p" || name == "sp" || name == "np") {
    std::optional<Policy> p = parse_policy(v);
    std::string problem =
        name + ": must be none, quarantine or reject, not \"" + std::string(v) + "\"";
    if (name == "p") {
      pending.have_p = p.has_value();
      if (p)
        r.policy = *p;
      else
        pending.p_problem = problem;
    } else if (name == "sp") {
      if (p)
        r.subdomain_policy = p;
      else
        pending.sp_problem = problem;
    } else {
      if (!p) return syntax_error(problem);
      r.nonexistent_policy = p;
    }
  } else if (name == "pct") {
    if (!all_digits(v) || v.size() > 3 || std::stoi(std::string(v)) > 100) {
      return syntax_error("pct: must be 0 to 100, not \"" + std::string(v) + "\"");
    }
    r.percent = std::stoi(std::string(v));
  } else if (name == "adkim" || name == "aspf") {
    MOX_ASSIGN(Alignment a, parse_alignment(name, v));
    (name == "adkim" ? r.adkim : r.aspf) = a;
  } else if (name == "rua" || name == "ruf") {
    MOX_ASSIGN(auto uris, parse_uris(name, v));
    (name == "rua" ? r.rua : r.ruf) = std::move(uris);
  } else if (name == "fo" || name == "rf") {
    MOX_ASSIGN(std::string list, parse_colon_list(name, v, name == "fo"));
    (name == "fo" ? r.fo : r.rf) = std::move(list);
  } else if (name == "ri") {
    if (!all_digits(v) || v.size() > 10 || std::stoull(std::string(v)) > UINT32_MAX) {
      return syntax_error("ri: must be a number of seconds, not \"" + std::string(v) + "\"");
    }
    r.interval = static_cast<uint32_t>(std::stoull(std::string(v)));
  }
  return {};  // unknown tags are ignored (§6.3)
}

// Splits "name *WSP = *WSP value" (§6.4); the name as a DKIM-style tag name
// (RFC 6376 §3.2: ALPHA *ALNUMPUNC), lower-cased.
Result<std::pair<std::string, std::string_view>> split_tag(std::string_view part) {
  size_t eq = part.find('=');
  if (eq == std::string_view::npos)
    return syntax_error("malformed tag \"" + std::string(part) + "\"");
  std::string_view name = trim_wsp(part.substr(0, eq));
  bool ok = !name.empty() && is_alpha(name[0]);
  for (char c : name) ok = ok && (is_alpha(c) || is_digit(c) || c == '_');
  if (!ok) return syntax_error("malformed tag name \"" + std::string(name) + "\"");
  return std::pair{ascii_lower(name), trim_wsp(part.substr(eq + 1))};
}

}  // namespace

std::string_view policy_name(Policy p) {
  switch (p) {
    case Policy::kNone:
      return "none";
    case Policy::kQuarantine:
      return "quarantine";
    case Policy::kReject:
      return "reject";
  }
  return "none";
}

bool is_dmarc_record(std::string_view txt) {
  txt = trim_wsp(txt);
  if (txt.empty() || (txt[0] != 'v' && txt[0] != 'V')) return false;
  txt = trim_wsp(txt.substr(1));
  if (txt.empty() || txt[0] != '=') return false;
  txt = trim_wsp(txt.substr(1));
  if (!txt.starts_with("DMARC1")) return false;
  txt.remove_prefix(6);
  return txt.empty() || txt[0] == ';' || is_wsp(txt[0]);
}

Result<Record> parse_record(std::string_view txt) {
  std::vector<std::string_view> parts = split(txt, ';');
  auto version = split_tag(parts[0]);
  if (!version || version->first != "v" || version->second != "DMARC1") {
    return syntax_error("v: the record must start with v=DMARC1 (RFC 7489 §6.3)");
  }
  Record r;
  Pending pending;
  std::set<std::string> seen{"v"};
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;  // the optional final ";" (§6.4)
    MOX_ASSIGN(auto tag, split_tag(parts[i]));
    if (!seen.insert(tag.first).second) return syntax_error(tag.first + ": repeated tag");
    MOX_TRY(apply_tag(r, pending, tag.first, tag.second));
  }
  if (!pending.have_p || !pending.sp_problem.empty()) {
    // §6.6.3 step 6: with a valid rua, act as if "v=DMARC1; p=none".
    if (r.rua.empty()) return syntax_error(pending.have_p ? pending.sp_problem : pending.p_problem);
    r.policy = Policy::kNone;
    r.subdomain_policy.reset();
  }
  return r;
}

std::string Record::text() const {
  std::string s = "v=DMARC1; p=" + std::string(policy_name(policy));
  if (subdomain_policy) s += "; sp=" + std::string(policy_name(*subdomain_policy));
  if (nonexistent_policy) s += "; np=" + std::string(policy_name(*nonexistent_policy));
  if (adkim == Alignment::kStrict) s += "; adkim=s";
  if (aspf == Alignment::kStrict) s += "; aspf=s";
  if (percent != 100) s += "; pct=" + std::to_string(percent);
  auto list = [&s](const char* tag, const std::vector<std::string>& uris) {
    if (uris.empty()) return;
    s += std::string("; ") + tag + "=";
    for (size_t i = 0; i < uris.size(); ++i) s += (i ? "," : "") + uris[i];
  };
  list("rua", rua);
  list("ruf", ruf);
  if (fo != "0") s += "; fo=" + fo;
  if (rf != "afrf") s += "; rf=" + rf;
  if (interval != 86400) s += "; ri=" + std::to_string(interval);
  return s;
}

}  // namespace mox::dmarc
