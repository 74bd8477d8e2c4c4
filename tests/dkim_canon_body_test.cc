// Differential test of the streaming body canonicalizer (lib/dkim/canon.h)
// against a second, line-based reading of RFC 6376 §3.4.3 / §3.4.4, over
// many random bodies made of the octets that matter (CR, LF, SP, HTAB,
// text), fed whole and in random chunks.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dkim/canon.h"

namespace mox::dkim {
namespace {

// Lines end at CRLF only (a bare CR or LF is content); the last line may
// have no CRLF.
std::vector<std::string> lines(std::string_view body, bool& last_open) {
  std::vector<std::string> out;
  size_t start = 0;
  last_open = false;
  while (start < body.size()) {
    size_t eol = body.find("\r\n", start);
    if (eol == std::string_view::npos) {
      out.emplace_back(body.substr(start));
      last_open = true;
      break;
    }
    out.emplace_back(body.substr(start, eol - start));
    start = eol + 2;
  }
  return out;
}

bool wsp(char c) { return c == ' ' || c == '\t'; }

std::string reference(std::string_view body, bool relaxed) {
  bool open = false;
  std::vector<std::string> ls = lines(body, open);
  if (relaxed) {
    // §3.4.4 a, b: WSP at line ends removed, runs of WSP become one SP.
    for (auto& l : ls) {
      std::string r;
      for (char c : l) {
        if (wsp(c)) {
          if (r.empty() || r.back() != ' ') r += ' ';
        } else {
          r += c;
        }
      }
      while (!r.empty() && r.back() == ' ') r.pop_back();
      l = r;
    }
  }
  // §3.4.3 / §3.4.4 c: empty lines at the end are ignored (an open last line
  // gets its CRLF first).
  while (!ls.empty() && ls.back().empty()) ls.pop_back();
  std::string out;
  for (const auto& l : ls) out += l + "\r\n";
  if (out.empty() && !relaxed) out = "\r\n";  // §3.4.3: an empty body is CRLF
  return out;
}

TEST(DkimCanonBody, MatchesLineBasedReference) {
  std::mt19937 rng(20240601);
  const std::string alphabet[] = {"\r\n", "\r", "\n", " ", "\t", "a", "bc", "  ", ".", "\r\n\r\n"};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string body;
    int parts = static_cast<int>(rng() % 24);
    for (int i = 0; i < parts; ++i) body += alphabet[rng() % std::size(alphabet)];
    for (bool relaxed : {false, true}) {
      std::string want = reference(body, relaxed);
      ASSERT_EQ(canonical_body(body, relaxed), want)
          << "relaxed=" << relaxed << " body=" << ::testing::PrintToString(body);
      BodyCanonicalizer c(relaxed);
      std::string out;
      for (size_t i = 0; i < body.size();) {
        size_t n = 1 + rng() % 7;
        c.update(std::string_view(body).substr(i, n), out);
        i += n;
      }
      c.finish(out);
      ASSERT_EQ(out, want) << "chunked, relaxed=" << relaxed
                           << " body=" << ::testing::PrintToString(body);
    }
  }
}

}  // namespace
}  // namespace mox::dkim
