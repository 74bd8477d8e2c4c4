#include "smtpclient/reply.h"

#include <cctype>

namespace mox::smtpclient {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// A run of 1-3 digits at the start of s (RFC 3463 §2: "1*3digit"); returns
// its length or 0.
size_t digits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && n < 4 && digit(s[n])) n++;
  return n >= 1 && n <= 3 ? n : 0;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

}  // namespace

std::string parse_enhanced_code(std::string_view text) {
  // RFC 3463 §2: status-code = class "." subject "." detail
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return "";
  }
  size_t i = 2;
  size_t n = digits(text.substr(i));
  if (n == 0 || i + n >= text.size() || text[i + n] != '.') return "";
  i += n + 1;
  n = digits(text.substr(i));
  if (n == 0) return "";
  i += n;
  if (i < text.size() && text[i] != ' ') return "";
  return std::string(text.substr(0, i));
}

std::string Reply::str() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  for (size_t i = 0; i < lines.size(); i++) {
    out += i == 0 ? " " : "; ";
    out += printable(lines[i]);
  }
  return out;
}

Result<std::optional<Reply>> ReplyParser::next() {
  if (failed_) return syntax_error("smtp reply: parser failed earlier");
  auto fail = [this](std::string m) -> Error {
    failed_ = true;
    return syntax_error("smtp reply: " + std::move(m));
  };
  while (true) {
    size_t eol = buf_.find('\n', pos_);
    if (eol == std::string::npos) {
      if (buf_.size() - pos_ > kMaxLine) return fail("line too long");
      // Drop consumed bytes so that the buffer stays bounded.
      buf_.erase(0, pos_);
      pos_ = 0;
      return std::optional<Reply>();
    }
    std::string_view line(buf_.data() + pos_, eol - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLine) return fail("line too long");
    // RFC 5321 §4.2: Reply-code [ SP textstring ] CRLF, or Reply-code "-"
    // for all lines but the last (§4.2.1).
    if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) || line[0] < '2' ||
        line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      return fail("malformed line \"" + printable(line.substr(0, 80)) + "\"");
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!partial_.lines.empty() && code != partial_.code) {
      return fail("continuation line with a different code");
    }
    if (partial_.lines.size() >= kMaxLines) return fail("too many lines");
    partial_.code = code;
    bool more = line.size() > 3 && line[3] == '-';
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
    // RFC 2034 §4: the enhanced code's class matches the reply's first digit.
    std::string ec = parse_enhanced_code(text);
    if (!ec.empty() && ec[0] == line[0]) {
      if (partial_.lines.empty()) partial_.enhanced = ec;
      text.remove_prefix(ec.size());
      if (!text.empty()) text.remove_prefix(1);
    }
    partial_.lines.emplace_back(text);
    pos_ = eol + 1;
    if (!more) {
      Reply r = std::move(partial_);
      partial_ = Reply();
      return std::optional<Reply>(std::move(r));
    }
  }
}

}  // namespace mox::smtpclient
