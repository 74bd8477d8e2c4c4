#include "imap/cursor.h"

#include <strings.h>

#include <cstring>

namespace mox::imap::internal {
namespace {

constexpr uint64_t kMaxNumber64 = 9223372036854775807ull;  // RFC 9051 §9 number64

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials
// / resp-specials (RFC 9051 §9); CHAR is 7-bit.
bool atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::strchr("(){%*\"\\]", ch) == nullptr;
}

bool astring_char(char c) { return atom_char(c) || c == ']'; }

bool list_char(char c) { return atom_char(c) || c == '%' || c == '*' || c == ']'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Cursor::Cursor(RawCommand& raw) : raw_(raw) {}

char Cursor::peek() const { return pos_ < line().size() ? line()[pos_] : '\0'; }

std::string_view Cursor::rest() const { return line().substr(std::min(pos_, line().size())); }

bool Cursor::at_line_end() const { return pos_ >= line().size(); }

bool Cursor::at_end() const { return line_ + 1 >= raw_.lines.size() && at_line_end(); }

bool Cursor::take(char c) {
  if (at_line_end() || line()[pos_] != c) return false;
  ++pos_;
  return true;
}

bool Cursor::take_word(std::string_view word) {
  std::string_view l = line().substr(pos_);
  if (l.size() < word.size() || strncasecmp(l.data(), word.data(), word.size()) != 0) return false;
  if (l.size() > word.size() && atom_char(l[word.size()])) return false;
  pos_ += word.size();
  return true;
}

Status Cursor::expect(char c) {
  if (take(c)) return {};
  return error(std::string("expected '") + c + "'");
}

Status Cursor::sp() {
  if (take(' ')) return {};
  return error("expected a space");
}

Status Cursor::end() {
  if (at_end()) return {};
  return error("unexpected text after the command");
}

Result<std::string> Cursor::atom() {
  std::string_view a = take_while(atom_char);
  if (a.empty()) return error("expected an atom");
  return std::string(a);
}

bool Cursor::at_string() const {
  std::string_view r = rest();
  return !r.empty() && (r[0] == '"' || r[0] == '{' || (r.size() > 1 && r[0] == '~' && r[1] == '{'));
}

Result<std::string> Cursor::astring() {
  if (at_string()) return string();
  std::string_view a = take_while(astring_char);
  if (a.empty()) return error("expected an atom or a string");
  return std::string(a);
}

Result<std::string> Cursor::string() {
  if (peek() == '"') return quoted();
  if (at_string()) return literal(false, nullptr);
  return error("expected a string");
}

Result<std::optional<std::string>> Cursor::nstring() {
  if (take_word("NIL")) return std::optional<std::string>();
  MOX_ASSIGN(std::string s, string());
  return std::optional<std::string>(std::move(s));
}

Result<std::string> Cursor::list_mailbox() {
  if (at_string()) return string();
  std::string_view a = take_while(list_char);
  if (a.empty()) return error("expected a mailbox pattern");
  return std::string(a);
}

// quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = TEXT-CHAR except
// quoted-specials, or "\" quoted-specials (RFC 9051 §9). 8-bit octets are
// accepted (UTF8-2..4 in RFC 9051; RFC 3501 clients send them too).
Result<std::string> Cursor::quoted() {
  MOX_TRY(expect('"'));
  std::string out;
  std::string_view l = line();
  while (pos_ < l.size()) {
    char c = l[pos_++];
    if (c == '"') return out;
    if (c == '\\') {
      if (pos_ >= l.size() || (l[pos_] != '"' && l[pos_] != '\\')) {
        return error("only \\\" and \\\\ may be escaped in a quoted string");
      }
      c = l[pos_++];
    } else if (c == '\0' || c == '\r' || c == '\n') {
      --pos_;
      return error("control character in quoted string; use a literal");
    }
    out += c;
  }
  return error("unterminated quoted string");
}

// literal = "{" number64 ["+"] "}" CRLF *CHAR8 (RFC 9051 §9, RFC 7888 §3);
// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET (RFC 3516 §4.1). The Reader
// has put the octets in literals[line_]; the announcement must end the line.
Result<std::string> Cursor::literal(bool allow_literal8, bool* binary) {
  std::string_view l = line().substr(pos_);
  LiteralMarker m = find_literal_marker(l);
  if (!m.found || m.start != 0) return error("expected a literal {n}");
  if (m.literal8 && !allow_literal8) return error("literal8 ~{n} is only allowed in APPEND");
  if (line_ >= raw_.literals.size() || m.overflow || raw_.literals[line_].size() != m.size) {
    return error("literal size does not match its announcement");
  }
  std::string data = std::move(raw_.literals[line_]);
  if (!m.literal8 && data.find('\0') != std::string::npos) {
    return error("NUL in a literal (RFC 9051 §4.3); binary data needs literal8 ~{n}");
  }
  if (binary != nullptr) *binary = m.literal8;
  ++line_;
  pos_ = 0;
  return data;
}

Result<uint32_t> Cursor::number() {
  std::string_view d = take_while(digit);
  if (d.empty()) return error("expected a number");
  uint64_t v = 0;
  for (char c : d) {
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 0xffffffffu) return syntax_error("number above 4294967295");
  }
  return static_cast<uint32_t>(v);
}

Result<uint32_t> Cursor::nz_number() {
  MOX_ASSIGN(uint32_t n, number());
  if (n == 0) return error("expected a number above 0");
  return n;
}

Result<uint64_t> Cursor::number64() {
  std::string_view d = take_while(digit);
  if (d.empty()) return error("expected a number");
  uint64_t v = 0;
  for (char c : d) {
    auto x = static_cast<uint64_t>(c - '0');
    if (v > (kMaxNumber64 - x) / 10) return syntax_error("number above 2^63-1");
    v = v * 10 + x;
  }
  return v;
}

Result<SequenceSet> Cursor::sequence_set() {
  std::string_view s = take_while([](char c) { return digit(c) || std::strchr("*:,$", c); });
  if (s.empty()) return error("expected a sequence set");
  Result<SequenceSet> set = SequenceSet::parse(s);
  if (!set)
    return syntax_error(set.error().message + " in \"" + std::string(s.substr(0, 40)) + "\"");
  return set;
}

// flag = "\" atom / atom (system flags, flag-extension, flag-keyword).
Result<std::string> Cursor::flag() {
  bool system = take('\\');
  std::string_view a = take_while(atom_char);
  if (a.empty()) return error("expected a flag");
  return (system ? "\\" : "") + std::string(a);
}

Result<std::vector<std::string>> Cursor::flag_list() {
  MOX_TRY(expect('('));
  std::vector<std::string> flags;
  if (take(')')) return flags;
  while (true) {
    MOX_ASSIGN(std::string f, flag());
    flags.push_back(std::move(f));
    if (take(')')) return flags;
    MOX_TRY(sp());
  }
}

Error Cursor::error(std::string_view what) const {
  std::string msg(what);
  std::string_view rest = line().substr(std::min(pos_, line().size()));
  if (rest.empty()) {
    msg += line_ + 1 < raw_.lines.size() ? " before a literal" : " at the end of the command";
    return syntax_error(std::move(msg));
  }
  msg += " near \"";
  for (char c : rest.substr(0, 20)) {
    auto u = static_cast<unsigned char>(c);
    msg += u < 0x20 || u >= 0x7f ? '?' : c;
  }
  msg += rest.size() > 20 ? "...\"" : "\"";
  return syntax_error(std::move(msg));
}

}  // namespace mox::imap::internal
