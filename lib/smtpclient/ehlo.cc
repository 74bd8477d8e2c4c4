#include "smtpclient/ehlo.h"

#include <charconv>
#include <utility>

#include "util/ascii.h"

namespace mox::smtpclient {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') i++;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

void add_auth(Extensions& e, const std::vector<std::string_view>& mechs, size_t from) {
  for (size_t i = from; i < mechs.size(); i++) {
    std::string m = ascii_upper(mechs[i]);
    bool dup = false;
    for (const auto& have : e.auth) dup = dup || have == m;
    if (!dup) e.auth.push_back(std::move(m));
  }
}

// Extensions without parameters that the client looks at.
constexpr std::pair<std::string_view, bool Extensions::*> kFlags[] = {
    {"PIPELINING", &Extensions::pipelining},
    {"STARTTLS", &Extensions::starttls},
    {"8BITMIME", &Extensions::eightbitmime},
    {"SMTPUTF8", &Extensions::smtputf8},
    {"ENHANCEDSTATUSCODES", &Extensions::enhanced_status_codes},
    {"REQUIRETLS", &Extensions::requiretls},
    {"CHUNKING", &Extensions::chunking},
};

}  // namespace

bool Extensions::has(std::string_view keyword) const {
  std::string k = ascii_upper(keyword);
  for (const auto& have : keywords) {
    if (have == k) return true;
  }
  return false;
}

Extensions parse_ehlo(const Reply& ehlo) {
  Extensions e;
  // RFC 5321 §4.1.1.1: ehlo-line = ehlo-keyword *( SP ehlo-param )
  for (size_t i = 1; i < ehlo.lines.size(); i++) {
    std::vector<std::string_view> w = words(ehlo.lines[i]);
    if (w.empty()) continue;
    std::string_view first = w[0];
    // Pre-RFC 4954 servers (and some still) write "AUTH=PLAIN LOGIN".
    if (first.size() > 5 && ascii_upper(first.substr(0, 5)) == "AUTH=") {
      std::vector<std::string_view> mechs = w;
      mechs[0] = first.substr(5);
      add_auth(e, mechs, 0);
      continue;
    }
    std::string kw = ascii_upper(first);
    e.keywords.push_back(kw);
    bool flag = false;
    for (const auto& [name, member] : kFlags) {
      if (kw == name) {
        e.*member = true;
        flag = true;
      }
    }
    if (flag) continue;
    if (kw == "AUTH") {
      add_auth(e, w, 1);
    } else if (kw == "SIZE") {
      // RFC 1870 §4: "SIZE" [SP number]; no number means no announced limit.
      uint64_t n = 0;
      if (w.size() == 1) {
        e.size = 0;
      } else if (auto [p, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), n);
                 ec == std::errc() && p == w[1].data() + w[1].size()) {
        e.size = n;
      }
    }
  }
  return e;
}

}  // namespace mox::smtpclient
