#include "message/address.h"

#include <cstring>

#include "message/rfc2047.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

// RFC 5322 §3.2.3 atext, plus any 8-bit byte (UTF-8, RFC 6532 §3.2).
bool is_atext(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Display names and comments as shown to people: encoded-words decoded,
// white space runs collapsed, valid UTF-8.
std::string display_text(std::string_view s) {
  std::string decoded = sanitize_utf8(decode_encoded_words(s));
  std::string out;
  for (char c : decoded) {
    if (is_fws(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A recursive-descent parser over one field value. Every method consumes
// input or fails, so it ends in time linear in the input (an address is read
// at most twice: once as a bare addr-spec, once as a name-addr or group).
class Parser {
 public:
  Parser(std::string_view s, bool keep_empty_groups)
      : s_(s), keep_empty_groups_(keep_empty_groups) {}

  Result<std::vector<Address>> address_list() {
    std::vector<Address> out;
    while (true) {
      if (!skip_cfws()) return error();
      if (at_end()) break;
      if (peek() == ',') {  // obs-addr-list: empty elements
        ++pos_;
        continue;
      }
      if (!address(out)) return error();
      if (!skip_cfws()) return error();
      if (at_end()) break;
      if (peek() != ',') {
        fail("expected \",\" between addresses");
        return error();
      }
      ++pos_;
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  bool fail(const char* what) {
    err_ = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }
  Error error() const { return syntax_error("address list: " + err_); }

  // RFC 5322 §3.2.2 comment, nested; quoted-pairs unescaped into `text`.
  bool comment(std::string* text) {
    int depth = 0;
    do {
      if (at_end()) return fail("unterminated comment");
      char c = s_[pos_++];
      if (c == '\\' && !at_end())
        c = s_[pos_++];
      else if (c == '(' && depth++ == 0)
        continue;
      else if (c == ')' && --depth == 0)
        continue;
      if (text) *text += c;
    } while (depth > 0);
    return true;
  }

  // CFWS (RFC 5322 §3.2.2). The text of comments goes to `comments`, if given.
  bool skip_cfws(std::string* comments = nullptr) {
    while (!at_end()) {
      if (is_fws(peek())) {
        ++pos_;
      } else if (peek() == '(') {
        if (comments && !comments->empty()) *comments += ' ';
        if (!comment(comments)) return false;
      } else {
        break;
      }
    }
    return true;
  }

  bool atom(std::string& out) {
    size_t start = pos_;
    while (!at_end() && is_atext(peek())) ++pos_;
    if (pos_ == start) return fail("expected an atom");
    out.append(s_.substr(start, pos_ - start));
    return true;
  }

  // RFC 5322 §3.2.4 quoted-string, unquoted into `out`; folds removed.
  bool quoted_string(std::string& out) {
    ++pos_;  // DQUOTE
    while (true) {
      if (at_end()) return fail("unterminated quoted string");
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return fail("unterminated quoted string");
        c = s_[pos_++];
      } else if (c == '\r' || c == '\n') {
        continue;
      }
      out += c;
    }
  }

  bool word(std::string& out) {
    if (peek() == '"') return quoted_string(out);
    return atom(out);
  }

  // local-part = dot-atom / quoted-string / obs-local-part (§3.4.1, §4.4):
  // words joined by ".", CFWS around them. Empty words are tolerated.
  bool local_part(std::string& out) {
    bool any = false;
    while (true) {
      if (!skip_cfws()) return false;
      if (peek() == '"' || is_atext(peek())) {
        if (!word(out)) return false;
        any = true;
        if (!skip_cfws()) return false;
      }
      if (peek() != '.') break;
      out += '.';
      ++pos_;
    }
    if (!any) return fail("expected a local part");
    return true;
  }

  // RFC 5322 §3.4.1 domain-literal, kept with its brackets, FWS removed.
  bool domain_literal(std::string& out) {
    out += '[';
    ++pos_;
    while (true) {
      if (at_end()) return fail("unterminated domain literal");
      char c = s_[pos_++];
      if (c == ']') break;
      if (c == '[') return fail("\"[\" in domain literal");
      if (c == '\\' && !at_end()) c = s_[pos_++];  // obs-dtext quoted-pair
      if (!is_fws(c)) out += c;
    }
    out += ']';
    return true;
  }

  // domain = dot-atom / domain-literal / obs-domain (atoms with CFWS).
  bool domain(std::string& out) {
    if (!skip_cfws()) return false;
    if (peek() == '[') return domain_literal(out);
    while (true) {
      if (!atom(out)) return false;
      // CFWS after the last atom is left to the caller: it may hold the
      // comment that names a bare addr-spec.
      size_t after = pos_;
      if (!skip_cfws()) return false;
      if (peek() != '.') {
        pos_ = after;
        return true;
      }
      out += '.';
      ++pos_;
      if (!skip_cfws()) return false;
    }
  }

  bool addr_spec(Address& a) {
    if (!local_part(a.localpart)) return false;
    if (peek() != '@') return fail("expected \"@\"");
    ++pos_;
    return domain(a.domain);
  }

  // angle-addr with obs-route (§4.4): "<" [@d1,@d2:] addr-spec ">".
  bool angle_addr(Address& a) {
    ++pos_;  // "<"
    if (!skip_cfws()) return false;
    if (peek() == '>') return fail("empty address");
    if (peek() == '@' || peek() == ',') {
      while (peek() == '@' || peek() == ',') {
        bool at = peek() == '@';
        ++pos_;
        std::string d;
        if (at && !domain(d)) return false;
        if (at) a.route += (a.route.empty() ? "@" : ",@") + d;
        if (!skip_cfws()) return false;
      }
      if (peek() != ':') return fail("expected \":\" after route");
      ++pos_;
    }
    if (!addr_spec(a) || !skip_cfws()) return false;
    if (peek() != '>') return fail("expected \">\"");
    ++pos_;
    return true;
  }

  // phrase = 1*word / obs-phrase; words joined with a space where the input
  // had white space or a comment between them.
  bool phrase(std::string& out) {
    std::string raw;
    while (true) {
      size_t before = pos_;
      if (!skip_cfws()) return false;
      bool spaced = pos_ != before;
      char c = peek();
      if (c != '"' && !is_atext(c) && !(c == '.' && !raw.empty())) break;
      if (spaced && !raw.empty()) raw += ' ';
      if (c == '.') {
        raw += '.';
        ++pos_;
      } else if (!word(raw)) {
        return false;
      }
    }
    out = display_text(raw);
    return true;
  }

  // A bare addr-spec, with a following comment as display name, if that is
  // what comes next and it ends where an address may end.
  bool bare_addr_spec(Address& a) {
    std::string comments;
    if (!addr_spec(a) || !skip_cfws(&comments)) return false;
    if (!at_end() && peek() != ',' && peek() != ';') return fail("unexpected text after address");
    a.name = display_text(comments);
    return true;
  }

  // mailbox (§3.4) when `group` is set (no nested groups), else address.
  bool address(std::vector<Address>& out, const std::string* group = nullptr) {
    size_t start = pos_;
    Address a;
    if (bare_addr_spec(a)) {
      if (group) a.group = *group;
      out.push_back(std::move(a));
      return true;
    }
    pos_ = start;
    a = Address();
    if (!phrase(a.name) || !skip_cfws()) return false;
    if (peek() == '<') {
      if (!angle_addr(a)) return false;
      if (group) a.group = *group;
      out.push_back(std::move(a));
      return true;
    }
    if (peek() == ':' && !group) return group_list(a.name, out);
    return fail(group ? "expected an address in group" : "expected an address");
  }

  // group = display-name ":" [group-list] ";" [CFWS]; the ";" may be missing
  // at the end of the input.
  bool group_list(const std::string& name, std::vector<Address>& out) {
    if (name.empty()) return fail("group without a name");
    ++pos_;  // ":"
    size_t members = out.size();
    auto done = [&] {
      if (keep_empty_groups_ && out.size() == members) {
        Address empty;
        empty.group = name;
        out.push_back(std::move(empty));
      }
      return true;
    };
    while (true) {
      if (!skip_cfws()) return false;
      if (at_end()) return done();
      if (peek() == ';') {
        ++pos_;
        return done();
      }
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (!address(out, &name) || !skip_cfws()) return false;
      if (!at_end() && peek() != ',' && peek() != ';')
        return fail("expected \",\" or \";\" in group");
    }
  }

  std::string_view s_;
  bool keep_empty_groups_ = false;
  size_t pos_ = 0;
  std::string err_;
};

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Address::addr_spec() const {
  if (is_dot_atom(localpart)) return localpart + "@" + domain;
  std::string q = "\"";
  for (char c : localpart) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"@" + domain;
}

Result<std::vector<Address>> parse_address_list(std::string_view value) {
  return Parser(value, false).address_list();
}

Result<std::vector<Address>> parse_address_list_keep_groups(std::string_view value) {
  return Parser(value, true).address_list();
}

}  // namespace mox::message
