#include "message/mimefield.h"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "message/charset.h"
#include "message/rfc2047.h"
#include "util/encoding.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or
// tspecials>. 8-bit octets are let in: raw UTF-8 file names exist.
bool is_token_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 32 || c == 127) return false;
  return std::strchr("()<>@,;:\\\"/[]?=", c) == nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A cursor over one field value. Every method consumes input or returns
// without moving, and callers make progress, so parsing is linear.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip() { ++pos_; }

  // CFWS (RFC 822 §3.4.3 comments are allowed in MIME fields, RFC 2045 §5.1).
  void skip_cfws() {
    while (!at_end()) {
      if (is_space(peek())) {
        ++pos_;
      } else if (peek() == '(') {
        skip_comment();
      } else {
        break;
      }
    }
  }

  std::string_view token() {
    size_t start = pos_;
    while (!at_end() && is_token_char(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // RFC 822 quoted-string at '"', unescaped; an unterminated one runs to the end.
  std::string quoted() {
    std::string out;
    ++pos_;
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == '"') break;
      if (c == '\\' && !at_end()) c = s_[pos_++];
      if (c == '\r' || c == '\n') continue;
      out += c;
    }
    return out;
  }

  // An unquoted value: up to ";", a comment, or white space followed by
  // what looks like the next "name=" of a list whose ";" is missing. Other
  // white space is kept (unquoted file names with spaces are common).
  std::string unquoted() {
    std::string out;
    while (!at_end() && peek() != ';') {
      if (is_space(peek())) {
        size_t ws = pos_;
        while (!at_end() && is_space(peek())) ++pos_;
        if (at_end() || peek() == ';' || peek() == '(' || next_is_param()) break;
        out.append(s_.substr(ws, pos_ - ws));
        continue;
      }
      if (peek() == '(' && !out.empty()) break;
      out += s_[pos_++];
    }
    return out;
  }

  // Moves past the next ";" (or to the end).
  void skip_to_semicolon() {
    while (!at_end() && peek() != ';') {
      if (peek() == '"') {
        quoted();
      } else {
        ++pos_;
      }
    }
  }

 private:
  void skip_comment() {
    int depth = 0;
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == '\\' && !at_end()) {
        ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
  }

  bool next_is_param() const {
    size_t i = pos_;
    while (i < s_.size() && is_token_char(s_[i])) ++i;
    return i > pos_ && i < s_.size() && s_[i] == '=';
  }

  std::string_view s_;
  size_t pos_ = 0;
};

struct RawParam {
  std::string name;  // lower-cased, as written (with "*" suffixes)
  std::string value;
};

// More parameters than any real field has are ignored: it keeps the
// merging below cheap on hostile input.
constexpr size_t kMaxParams = 500;

std::vector<RawParam> raw_params(Lexer& lx) {
  std::vector<RawParam> out;
  while (out.size() < kMaxParams) {
    lx.skip_cfws();
    if (lx.at_end()) break;
    if (lx.peek() == ';') {
      lx.skip();
      continue;
    }
    std::string_view name = lx.token();
    if (name.empty()) {  // junk: skip to the next parameter
      lx.skip();
      lx.skip_to_semicolon();
      continue;
    }
    lx.skip_cfws();
    if (lx.peek() != '=') {
      lx.skip_to_semicolon();
      continue;
    }
    lx.skip();
    lx.skip_cfws();
    RawParam p{lower(name), {}};
    if (lx.peek() == '"') {
      p.value = lx.quoted();
      lx.skip_cfws();
      if (!lx.at_end() && lx.peek() != ';') {
        Lexer probe = lx;
        std::string_view t = probe.token();
        probe.skip_cfws();
        if (t.empty() || probe.peek() != '=') lx.skip_to_semicolon();
      }
    } else {
      p.value = lx.unquoted();
    }
    out.push_back(std::move(p));
  }
  return out;
}

// RFC 2231 §4: "%XX" is an octet; a "%" without two hex digits stays.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (int b = s[i] == '%' ? hex_byte(s, i + 1) : -1; b >= 0) {
      out += static_cast<char>(b);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// RFC 2231 §7 bounds nothing; this does: sections past it are ignored.
constexpr unsigned kMaxSection = 999;

struct Section {
  unsigned number = 0;
  bool encoded = false;
  std::string value;
};

// Splits "name*3*" into ("name", 3, encoded). Returns false for a plain name.
bool split_2231(std::string_view raw, std::string& base, Section& sec, bool& numbered) {
  size_t star = raw.find('*');
  if (star == std::string_view::npos || star == 0) return false;
  base = std::string(raw.substr(0, star));
  std::string_view rest = raw.substr(star + 1);
  numbered = false;
  sec.encoded = false;
  if (rest.empty()) {  // name*=
    sec.encoded = true;
    return true;
  }
  size_t i = 0;
  unsigned n = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && n <= kMaxSection) {
    n = n * 10 + static_cast<unsigned>(rest[i] - '0');
    ++i;
  }
  if (i == 0 || n > kMaxSection) return false;
  rest = rest.substr(i);
  if (rest == "*") {
    sec.encoded = true;
  } else if (!rest.empty()) {
    return false;
  }
  sec.number = n;
  numbered = true;
  return true;
}

// Joins the sections of one RFC 2231 parameter (§3, §4.1) into `p`.
void join_sections(std::vector<Section>& secs, MimeParam& p) {
  std::stable_sort(secs.begin(), secs.end(),
                   [](const Section& a, const Section& b) { return a.number < b.number; });
  p.extended = std::any_of(secs.begin(), secs.end(), [](const Section& s) { return s.encoded; });
  for (size_t i = 0; i < secs.size(); ++i) {
    if (secs[i].number != i) break;  // a gap or a duplicate ends the value
    std::string_view v = secs[i].value;
    if (i == 0 && secs[i].encoded) {
      size_t q1 = v.find('\'');
      size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {
        p.charset = std::string(v.substr(0, q1));
        p.language = std::string(v.substr(q1 + 1, q2 - q1 - 1));
        v = v.substr(q2 + 1);
      }
    }
    p.value += secs[i].encoded ? percent_decode(v) : std::string(v);
  }
}

// Turns raw parameters into MimeParams: RFC 2231 continuations joined, the
// first of duplicates kept, an RFC 2231 value preferred over a plain one of
// the same name (it says more, RFC 2231 §4 readers).
std::vector<MimeParam> merge_params(const std::vector<RawParam>& raw) {
  std::vector<MimeParam> out;
  std::map<std::string, std::vector<Section>> sections;
  std::vector<std::string> order;  // names in order of first appearance
  std::map<std::string, std::string> plain;
  for (const RawParam& r : raw) {
    std::string base;
    Section sec;
    bool numbered = false;
    if (split_2231(r.name, base, sec, numbered)) {
      if (!sections.count(base) && !plain.count(base)) order.push_back(base);
      auto& v = sections[base];
      if (!numbered) {
        if (std::any_of(v.begin(), v.end(), [](const Section& s) { return s.number == 0; }))
          continue;
        sec.number = 0;
      }
      sec.value = r.value;
      v.push_back(std::move(sec));
    } else {
      if (!sections.count(r.name) && !plain.count(r.name)) order.push_back(r.name);
      plain.emplace(r.name, r.value);
    }
  }
  for (const std::string& name : order) {
    MimeParam p;
    p.name = name;
    auto s = sections.find(name);
    if (s != sections.end()) {
      join_sections(s->second, p);
    } else {
      p.value = plain[name];
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<ContentType> parse_content_type(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  ContentType ct;
  ct.type = lower(lx.token());
  lx.skip_cfws();
  if (ct.type.empty() || lx.peek() != '/')
    return syntax_error("content-type: expected type/subtype");
  lx.skip();
  lx.skip_cfws();
  ct.subtype = lower(lx.token());
  if (ct.subtype.empty()) return syntax_error("content-type: expected subtype");
  ct.params = merge_params(raw_params(lx));
  return ct;
}

Result<ContentDisposition> parse_content_disposition(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  ContentDisposition cd;
  cd.type = lower(lx.token());
  if (cd.type.empty()) return syntax_error("content-disposition: expected a disposition type");
  cd.params = merge_params(raw_params(lx));
  return cd;
}

std::string parse_transfer_encoding(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  return lower(lx.token());
}

std::vector<std::string> parse_content_language(std::string_view value) {
  std::vector<std::string> out;
  Lexer lx(value);
  while (true) {
    lx.skip_cfws();
    if (lx.at_end()) break;
    std::string_view tag = lx.token();
    if (tag.empty()) {
      lx.skip();  // "," or junk
      continue;
    }
    out.emplace_back(tag);
  }
  return out;
}

const MimeParam* find_param(const std::vector<MimeParam>& params, std::string_view name) {
  for (const MimeParam& p : params) {
    if (p.name.size() == name.size() && strncasecmp(p.name.data(), name.data(), name.size()) == 0)
      return &p;
  }
  return nullptr;
}

std::string text_to_utf8(std::string_view bytes, std::string_view charset) {
  if (!charset.empty()) {
    if (const Charset* cs = find_charset(charset)) return to_utf8(*cs, bytes);
    return sanitize_utf8(bytes);
  }
  if (valid_utf8(bytes)) return std::string(bytes);
  return to_utf8(*find_charset("windows-1252"), bytes);
}

std::string param_utf8(const MimeParam& p) {
  if (p.extended) return text_to_utf8(p.value, p.charset.empty() ? "us-ascii" : p.charset);
  return text_to_utf8(decode_encoded_words(p.value));
}

std::string param_wire_value(const MimeParam& p) {
  if (!p.extended) return p.value;
  std::string out = p.charset + "'" + p.language + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : p.value) {
    auto c = static_cast<unsigned char>(ch);
    // RFC 2231 §7 attribute-char: not SPACE, CTLs, "*", "'", "%" or tspecials.
    if (c > 32 && c < 127 && is_token_char(ch) && ch != '*' && ch != '\'' && ch != '%') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mox::message
