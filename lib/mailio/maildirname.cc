#include "mailio/maildirname.h"

#include <algorithm>
#include <charconv>

#include "util/ascii.h"

namespace mox::mailio {
namespace {

struct Letter {
  char c;
  const char* flag;
};
// In ASCII order, as the info part wants them.
constexpr Letter kLetters[] = {{'D', "\\Draft"},    {'F', "\\Flagged"}, {'P', "$Forwarded"},
                               {'R', "\\Answered"}, {'S', "\\Seen"},    {'T', "\\Deleted"}};

}  // namespace

DovecotKeywords DovecotKeywords::parse(std::string_view text) {
  DovecotKeywords k;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp + 1 >= line.size()) continue;
    int n = -1;
    auto [p, ec] = std::from_chars(line.data(), line.data() + sp, n);
    if (ec != std::errc() || p != line.data() + sp || n < 0 || n > 25) continue;
    k.names_[n] = std::string(line.substr(sp + 1));
  }
  return k;
}

std::string DovecotKeywords::keyword(char c) const {
  if (c < 'a' || c > 'z') return "";
  auto it = names_.find(c - 'a');
  return it == names_.end() ? "" : it->second;
}

char DovecotKeywords::letter(std::string_view keyword, bool assign) {
  for (const auto& [i, name] : names_)
    if (ascii_iequal(name, keyword)) return static_cast<char>('a' + i);
  if (!assign) return 0;
  for (int i = 0; i < 26; i++) {
    if (names_.count(i)) continue;
    names_[i] = std::string(keyword);
    return static_cast<char>('a' + i);
  }
  return 0;
}

std::string DovecotKeywords::format() const {
  std::string out;
  for (const auto& [i, name] : names_) out += std::to_string(i) + " " + name + "\n";
  return out;
}

MaildirName parse_maildir_name(std::string_view filename, const DovecotKeywords& keywords) {
  MaildirName n;
  size_t sep = std::string_view::npos;
  for (char c : {':', ';', '!'}) {
    size_t p = filename.rfind(std::string{c} + "2,");
    if (p != std::string_view::npos && (sep == std::string_view::npos || p > sep)) sep = p;
  }
  n.unique = std::string(filename.substr(0, sep));
  size_t digits = 0;
  while (digits < n.unique.size() && digits < 18 && n.unique[digits] >= '0' &&
         n.unique[digits] <= '9')
    digits++;
  if (digits > 0) std::from_chars(n.unique.data(), n.unique.data() + digits, n.time);
  if (sep == std::string_view::npos) return n;
  for (char c : filename.substr(sep + 3)) {
    for (const Letter& l : kLetters)
      if (l.c == c && std::find(n.flags.begin(), n.flags.end(), l.flag) == n.flags.end())
        n.flags.push_back(l.flag);
    if (c >= 'a' && c <= 'z') {
      std::string k = keywords.keyword(c);
      if (k.empty()) {
        n.unknown.push_back(c);
      } else if (std::find(n.flags.begin(), n.flags.end(), k) == n.flags.end()) {
        n.flags.push_back(std::move(k));
      }
    }
  }
  return n;
}

std::string maildir_info(const std::vector<std::string>& flags, DovecotKeywords& keywords,
                         std::vector<std::string>* dropped) {
  std::string upper, lower;
  for (const std::string& f : flags) {
    const Letter* known = nullptr;
    for (const Letter& l : kLetters)
      if (ascii_iequal(f, l.flag)) known = &l;
    if (known) {
      if (upper.find(known->c) == std::string::npos) upper += known->c;
      continue;
    }
    if (!f.empty() && f[0] == '\\') continue;  // \Recent and the like: not stored
    char c = keywords.letter(f, true);
    if (c == 0) {
      if (dropped) dropped->push_back(f);
    } else if (lower.find(c) == std::string::npos) {
      lower += c;
    }
  }
  std::sort(upper.begin(), upper.end());
  std::sort(lower.begin(), lower.end());
  return ":2," + upper + lower;
}

}  // namespace mox::mailio
