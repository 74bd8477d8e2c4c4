// The reader of Authentication-Results values (RFC 8601 §2.2 grammar).
#include "authres/header.h"
#include "authres/internal.h"
#include "util/ascii.h"

namespace mox::authres {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// RFC 5321 Keyword (Let-dig [Ldh-str]), with "_" as some senders write it.
bool keyword_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// RFC 5322 §2.2.3: a line end followed by WSP is removed; any other CR or
// LF is malformed.
Result<std::string> unfold(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\r' && i + 1 < v.size() && v[i + 1] == '\n') ++i, c = '\n';
    if (c == '\n') {
      if (i + 1 < v.size() && is_wsp(v[i + 1])) continue;
      if (i + 1 == v.size()) break;  // a final line end
      return syntax_error("line end not followed by white space");
    }
    if (c == '\r') return syntax_error("bare CR");
    out += c;
  }
  return out;
}

// A cursor over the unfolded value.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool done() const { return i_ >= s_.size(); }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }
  Error error(std::string what) const {
    return syntax_error(what + " at offset " + std::to_string(i_));
  }

  // RFC 5322 §3.2.2 CFWS; the text of the first comment goes to *first when
  // it is not null and still unset.
  Status cfws(std::string* first = nullptr, bool* have = nullptr) {
    while (!done()) {
      if (is_wsp(s_[i_])) {
        ++i_;
      } else if (peek('(')) {
        MOX_ASSIGN(std::string text, comment());
        if (first != nullptr && !*have) *first = std::move(text), *have = true;
      } else {
        break;
      }
    }
    return {};
  }

  // Nested comments are kept as text with their parentheses.
  Result<std::string> comment() {
    std::string out;
    int depth = 0;
    while (!done()) {
      char c = s_[i_++];
      if (c == '\\') {
        if (done() || is_ctl(s_[i_])) return error("bad quoted-pair in comment");
        out += s_[i_++];
        continue;
      }
      if (is_ctl(c)) return error("control character in comment");
      if (c == '(' && depth++ == 0) continue;
      if (c == ')' && --depth == 0) return out;
      out += c;
    }
    return error("unterminated comment");
  }

  Result<std::string> quoted_string() {
    std::string out;
    ++i_;  // the opening quote
    while (!done()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done() || is_ctl(s_[i_])) return error("bad quoted-pair");
        c = s_[i_++];
      } else if (is_ctl(c)) {
        return error("control character in quoted string");
      }
      out += c;
    }
    return error("unterminated quoted string");
  }

  std::string run(bool (*accept)(char)) {
    size_t start = i_;
    while (!done() && accept(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  Result<std::string> keyword(const char* what) {
    std::string k = run(keyword_char);
    if (k.empty()) return error(std::string("expected ") + what);
    return ascii_lower(k);
  }

  // §2.2 value (token / quoted-string) or pvalue ([local-part] "@" domain).
  Result<std::string> value() {
    if (peek('"')) {
      MOX_ASSIGN(std::string q, quoted_string());
      if (peek('@')) q += run([](char c) { return token_char(c) || c == '@'; });
      return q;
    }
    return run([](char c) {
      return !is_wsp(c) && !is_ctl(c) && c != ';' && c != '(' && c != ')' && c != '"';
    });
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// The authserv-id and the optional authres-version after it.
Result<std::string> read_authserv_id(Reader& r) {
  MOX_TRY(r.cfws());
  std::string id;
  if (r.peek('"')) {
    MOX_ASSIGN(id, r.quoted_string());
  } else {
    id = r.run(token_char);
    if (id.empty()) return r.error("expected authserv-id");
  }
  MOX_TRY(r.cfws());
  std::string version = r.run([](char c) { return c >= '0' && c <= '9'; });
  if (!version.empty()) MOX_TRY(r.cfws());
  return id;
}

// reasonspec or propspec, after the keyword that starts it.
Status read_item(Reader& r, Method& m, std::string word) {
  MOX_TRY(r.cfws());
  if (word == "reason" && r.take('=')) {
    MOX_TRY(r.cfws());
    MOX_ASSIGN(m.reason, r.value());
    return {};
  }
  if (!r.take('.')) return r.error("expected \".\" after ptype \"" + word + "\"");
  Property p;
  p.type = std::move(word);
  MOX_TRY(r.cfws());
  MOX_ASSIGN(p.name, r.keyword("property"));
  MOX_TRY(r.cfws());
  if (!r.take('=')) return r.error("expected \"=\" after property");
  MOX_TRY(r.cfws());
  MOX_ASSIGN(p.value, r.value());
  m.props.push_back(std::move(p));
  return {};
}

// resinfo after its ";": methodspec, then reason and properties up to the
// next ";" or the end.
Result<Method> read_method(Reader& r, std::string name) {
  Method m;
  m.method = std::move(name);
  MOX_TRY(r.cfws());
  if (r.take('/')) {  // method-version
    MOX_TRY(r.cfws());
    if (r.run([](char c) { return c >= '0' && c <= '9'; }).empty())
      return r.error("expected method version");
    MOX_TRY(r.cfws());
  }
  if (!r.take('=')) return r.error("expected \"=\" after method \"" + m.method + "\"");
  MOX_TRY(r.cfws());
  MOX_ASSIGN(m.result, r.keyword("result"));
  bool have_comment = false;
  MOX_TRY(r.cfws(&m.comment, &have_comment));
  while (!r.done() && !r.peek(';')) {
    MOX_ASSIGN(std::string word, r.keyword("reason or property"));
    MOX_TRY(read_item(r, m, std::move(word)));
    MOX_TRY(r.cfws());
  }
  return m;
}

}  // namespace

Result<Header> parse(std::string_view value) {
  MOX_ASSIGN(std::string text, unfold(value));
  Reader r(text);
  Header h;
  MOX_ASSIGN(h.authserv_id, read_authserv_id(r));
  if (r.done()) return h;  // tolerated: no "; none"
  if (!r.take(';')) return r.error("expected \";\" after authserv-id");
  MOX_TRY(r.cfws());
  MOX_ASSIGN(std::string name, r.keyword("method"));
  if (name == "none") {
    MOX_TRY(r.cfws());
    if (r.done()) return h;  // §2.2 no-result
  }
  while (true) {
    MOX_ASSIGN(Method m, read_method(r, std::move(name)));
    h.methods.push_back(std::move(m));
    if (r.done()) return h;
    r.take(';');
    MOX_TRY(r.cfws());
    if (r.done()) return h;  // a final ";"
    MOX_ASSIGN(name, r.keyword("method"));
  }
}

std::string authserv_id(std::string_view value) {
  auto text = unfold(value);
  if (!text) return "";
  Reader r(*text);
  auto id = read_authserv_id(r);
  return id ? *id : "";
}

}  // namespace mox::authres
