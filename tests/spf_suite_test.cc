// Runs the cases of the openspf.org RFC 7208 test suite, kept in
// tests/data/spf/rfc7208-suite.txt (its header describes the format),
// through spf::verify with a zone-file resolver. Names marked %timeout
// answer with a temporary DNS error.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dns/zone.h"
#include "spf/check.h"

#ifndef MOX_SOURCE_DIR
#define MOX_SOURCE_DIR "."
#endif

namespace mox::spf {
namespace {

struct Case {
  std::string name, ip, mail_from, helo, explanation;
  std::vector<std::string> results;
};

struct Section {
  std::string name, zone;
  std::set<std::string> timeouts;
  std::vector<Case> cases;
};

// Answers from a zone, with temporary errors for some names.
class SuiteResolver : public dns::Resolver {
 public:
  SuiteResolver(std::unique_ptr<dns::ZoneResolver> z, std::set<std::string> t)
      : zone_(std::move(z)), timeouts_(std::move(t)) {}
  Result<dns::Response> query(std::string_view name, dns::Type type) override {
    auto n = dns::normalize_name(name);
    if (n && timeouts_.count(*n)) return temporary_error(std::string(name) + ": timeout");
    return zone_->query(name, type);
  }

 private:
  std::unique_ptr<dns::ZoneResolver> zone_;
  std::set<std::string> timeouts_;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<Section> load() {
  std::ifstream f(std::string(MOX_SOURCE_DIR) + "/tests/data/spf/rfc7208-suite.txt");
  if (!f) f.open("tests/data/spf/rfc7208-suite.txt");
  std::vector<Section> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("%section ", 0) == 0) {
      out.push_back(Section{line.substr(9), "", {}, {}});
    } else if (line.rfind("%timeout ", 0) == 0) {
      out.back().timeouts.insert(lower(line.substr(9)));
    } else if (line.rfind("%case ", 0) == 0) {
      auto p = split(line.substr(6), '\t');
      if (p.size() != 6) ADD_FAILURE() << "bad case line: " << line;
      if (p.size() != 6) continue;
      out.back().cases.push_back(Case{p[0], p[1], p[2], p[3], p[5], split(p[4], ',')});
    } else if (!out.empty() && !line.empty() && line[0] != '#') {
      out.back().zone += line + "\n";
    }
  }
  return out;
}

TEST(SpfSuite, Rfc7208) {
  auto sections = load();
  ASSERT_EQ(sections.size(), 16u);
  int n = 0;
  for (const Section& s : sections) {
    auto zone = dns::ZoneResolver::from_text(s.zone);
    ASSERT_TRUE(zone.ok()) << s.name << ": " << zone.error().message;
    SuiteResolver r(std::move(zone).value(), s.timeouts);
    for (const Case& c : s.cases) {
      if (c.name == "macro-mania-in-domain") continue;  // a name with spaces, see the data file
      ++n;
      Query q;
      q.ip = c.ip;
      q.mail_from = c.mail_from;
      q.helo = c.helo;
      q.receiver = "receiver.example.org";
      Received got = verify(r, q).mail_from;
      std::string name(status_name(got.status));
      bool ok = false;
      for (const auto& want : c.results) ok = ok || want == name;
      EXPECT_TRUE(ok) << s.name << " / " << c.name << ": got " << name << " (" << got.problem
                      << "), want " << c.results.front();
      if (ok && got.status == Status::kFail && c.explanation != "-" && c.explanation != "DEFAULT") {
        EXPECT_EQ(lower(got.explanation), lower(c.explanation)) << s.name << " / " << c.name;
      }
    }
  }
  EXPECT_EQ(n, 202);  // 203 cases, one left out
}

}  // namespace
}  // namespace mox::spf
