#include "dns/zone_lexer.h"

#include <cctype>

namespace mox::dns::zone_internal {
namespace {

Error err(size_t line, const std::string& what) {
  return syntax_error("line " + std::to_string(line) + ": " + what);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Entry>> run() {
    while (pos_ < s_.size()) {
      if (at_line_start_ && depth_ == 0) {
        flush();
        cur_.line = line_;
        cur_.blank_owner = is_space(s_[pos_]);
      }
      at_line_start_ = false;
      char c = s_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
        at_line_start_ = true;
      } else if (is_space(c)) {
        ++pos_;
      } else if (c == ';') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '(') {
        ++depth_;
        ++pos_;
      } else if (c == ')') {
        if (depth_ == 0) return err(line_, "\")\" without \"(\"");
        --depth_;
        ++pos_;
      } else {
        MOX_TRY(token());
      }
    }
    if (depth_ != 0) return err(cur_.line, "\"(\" without \")\"");
    flush();
    return std::move(out_);
  }

 private:
  void flush() {
    if (!cur_.tokens.empty()) out_.push_back(std::move(cur_));
    cur_ = Entry{};
  }

  // "\X" is X; "\DDD" is the octet with decimal value DDD (RFC 1035 §5.1).
  Status escape(Token& t) {
    t.escaped = true;
    ++pos_;  // the backslash
    if (pos_ >= s_.size() || s_[pos_] == '\n') return err(line_, "backslash at end of line");
    if (std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      if (pos_ + 3 > s_.size()) return err(line_, "bad \\DDD escape");
      int v = 0;
      for (size_t i = 0; i < 3; ++i) {
        char d = s_[pos_ + i];
        if (!std::isdigit(static_cast<unsigned char>(d))) return err(line_, "bad \\DDD escape");
        v = v * 10 + (d - '0');
      }
      if (v > 255) return err(line_, "\\DDD escape above 255");
      t.text += static_cast<char>(v);
      pos_ += 3;
      return {};
    }
    t.text += s_[pos_++];
    return {};
  }

  Status token() {
    Token t;
    if (s_[pos_] == '"') {
      t.quoted = true;
      ++pos_;
      while (true) {
        if (pos_ >= s_.size() || s_[pos_] == '\n') return err(line_, "unterminated quoted string");
        char c = s_[pos_];
        if (c == '"') break;
        if (c == '\\') {
          MOX_TRY(escape(t));
        } else {
          t.text += c;
          ++pos_;
        }
      }
      ++pos_;  // closing quote
    } else {
      while (pos_ < s_.size()) {
        char c = s_[pos_];
        if (is_space(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"') break;
        if (c == '\\') {
          MOX_TRY(escape(t));
        } else {
          t.text += c;
          ++pos_;
        }
      }
    }
    cur_.tokens.push_back(std::move(t));
    return {};
  }

  std::string_view s_;
  size_t pos_ = 0, line_ = 1, depth_ = 0;
  bool at_line_start_ = true;
  Entry cur_;
  std::vector<Entry> out_;
};

}  // namespace

Result<std::vector<Entry>> lex_zone(std::string_view text) { return Lexer(text).run(); }

}  // namespace mox::dns::zone_internal
