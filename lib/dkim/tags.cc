#include "dkim/tags.h"

#include <cctype>

namespace mox::dkim {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_alnumpunc(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
// VALCHAR (%x21-3A / %x3C-7E), and UTF8-non-ascii octets (RFC 8616 §4).
bool is_valchar(char ch) {
  auto c = static_cast<unsigned char>(ch);
  return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::vector<Tag>> run() {
    std::vector<Tag> tags;
    while (true) {
      fws();
      if (pos_ == s_.size()) {
        if (tags.empty()) return fail("empty tag list");
        return tags;  // after a final ";"
      }
      MOX_ASSIGN(Tag t, tag_spec());
      for (const Tag& o : tags) {
        if (o.name == t.name) return fail("duplicate tag \"" + t.name + "\"");
      }
      tags.push_back(std::move(t));
      if (pos_ == s_.size()) return tags;
      ++pos_;  // ";"
    }
  }

 private:
  Error fail(const std::string& what) const {
    return syntax_error("tag list: " + what + " at offset " + std::to_string(pos_));
  }

  // FWS = [*WSP CRLF] 1*WSP (RFC 5322 §3.2.2); folds may repeat. A bare LF
  // fold is accepted as the header parser accepts bare LF line ends.
  void fws() {
    while (pos_ < s_.size()) {
      if (is_wsp(s_[pos_])) {
        ++pos_;
      } else if (s_.compare(pos_, 3, "\r\n ") == 0 || s_.compare(pos_, 3, "\r\n\t") == 0) {
        pos_ += 3;
      } else if (s_.compare(pos_, 2, "\n ") == 0 || s_.compare(pos_, 2, "\n\t") == 0) {
        pos_ += 2;
      } else {
        break;
      }
    }
  }

  Result<Tag> tag_spec() {
    Tag t;
    if (!is_alpha(s_[pos_])) return fail("expected a tag name");
    size_t start = pos_;
    while (pos_ < s_.size() && is_alnumpunc(s_[pos_])) ++pos_;
    t.name = std::string(s_.substr(start, pos_ - start));
    fws();
    if (pos_ == s_.size() || s_[pos_] != '=')
      return fail("expected \"=\" after tag \"" + t.name + "\"");
    t.eq = pos_++;
    fws();
    size_t vstart = pos_, vend = pos_;
    while (pos_ < s_.size() && is_valchar(s_[pos_])) {
      while (pos_ < s_.size() && is_valchar(s_[pos_])) ++pos_;
      vend = pos_;
      fws();
    }
    t.value = std::string(s_.substr(vstart, vend - vstart));
    if (pos_ < s_.size() && s_[pos_] != ';') {
      return fail("invalid character in value of tag \"" + t.name + "\"");
    }
    t.end = pos_;
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Tag>> parse_tag_list(std::string_view s) { return Parser(s).run(); }

std::string strip_ws(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (!is_wsp(c) && c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::vector<std::string> split_colon_list(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    size_t colon = v.find(':');
    std::string_view item = v.substr(0, colon);
    auto ws = [](char c) { return is_wsp(c) || c == '\r' || c == '\n'; };
    while (!item.empty() && ws(item.front())) item.remove_prefix(1);
    while (!item.empty() && ws(item.back())) item.remove_suffix(1);
    out.emplace_back(item);
    if (colon == std::string_view::npos) break;
    v.remove_prefix(colon + 1);
  }
  return out;
}

const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name) {
  for (const Tag& t : tags) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace mox::dkim
