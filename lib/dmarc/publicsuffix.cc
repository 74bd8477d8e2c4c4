#include "dmarc/publicsuffix.h"

#include <vector>

#include "dns/idna.h"
#include "util/fs.h"

namespace mox::dmarc {
namespace {

// Start offsets of each label of a normalized name, leftmost first.
std::vector<size_t> label_starts(const std::string& name) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.') starts.push_back(i + 1);
  }
  return starts;
}

}  // namespace

std::string normalize_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return "";
  auto a = dns::to_a_labels(domain);
  if (!a) return "";
  const std::string& s = *a;
  if (s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos) return "";
  return s;
}

Result<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) return user_error("public suffix list " + path + ": " + text.error().message);
  return from_text(*text);
}

Result<PublicSuffixList> PublicSuffixList::from_text(std::string_view text) {
  PublicSuffixList psl;
  size_t lineno = 0;
  while (!text.empty()) {
    ++lineno;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t ws = line.find_first_of(" \t\r");
    std::string_view rule = line.substr(0, ws);
    if (rule.empty() || rule.starts_with("//")) continue;
    auto* set = &psl.rules_;
    if (rule.starts_with("!")) {
      set = &psl.exceptions_;
      rule.remove_prefix(1);
    } else if (rule.starts_with("*.")) {
      set = &psl.wildcards_;
      rule.remove_prefix(2);
    }
    std::string name = normalize_domain(rule);
    if (name.empty() || name.find('*') != std::string::npos ||
        name.find('!') != std::string::npos) {
      return syntax_error("public suffix list line " + std::to_string(lineno) + ": bad rule \"" +
                          std::string(line) + "\"");
    }
    set->insert(std::move(name));
  }
  return psl;
}

std::string PublicSuffixList::public_suffix(std::string_view domain) const {
  std::string name = normalize_domain(domain);
  if (name.empty()) return "";
  std::vector<size_t> starts = label_starts(name);
  auto suffix = [&](size_t i) { return name.substr(starts[i]); };
  // An exception rule prevails over any other match.
  for (size_t i = 0; i < starts.size(); ++i) {
    if (exceptions_.count(suffix(i)) != 0) return i + 1 < starts.size() ? suffix(i + 1) : "";
  }
  // Longest first: the first match has the most labels.
  for (size_t i = 0; i < starts.size(); ++i) {
    if (rules_.count(suffix(i)) != 0) return suffix(i);
    if (i + 1 < starts.size() && wildcards_.count(suffix(i + 1)) != 0) return suffix(i);
  }
  return suffix(starts.size() - 1);  // the default rule "*"
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  std::string name = normalize_domain(domain);
  std::string ps = public_suffix(name);
  if (name.empty() || ps.size() >= name.size()) return name;
  // One more label to the left of the public suffix.
  size_t end = name.size() - ps.size() - 1;  // the dot before the suffix
  size_t start = name.rfind('.', end - 1);
  return name.substr(start == std::string::npos ? 0 : start + 1);
}

}  // namespace mox::dmarc
