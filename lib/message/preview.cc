#include "message/preview.h"

#include <strings.h>

#include <cstring>

#include "message/decode.h"
#include "message/mimefield.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

// Octets of a part's body looked at: enough for 256 characters behind a
// long HTML head or a base64 encoding.
constexpr size_t kMaxSource = 64 * 1024;

bool is_text(const Part& p) {
  if (p.content_type.type != "text") return false;
  if (p.content_type.subtype != "plain" && p.content_type.subtype != "html") return false;
  return !p.disposition || p.disposition->type != "attachment";
}

const Part* first_text(const Part& p) {
  if (p.is_encapsulating()) return nullptr;  // an attached message
  if (!p.is_multipart()) return is_text(p) ? &p : nullptr;
  if (p.content_type.subtype == "alternative") {
    for (const Part& c : p.parts) {
      if (is_text(c) && c.content_type.subtype == "plain") return &c;
    }
  }
  for (const Part& c : p.parts) {
    if (const Part* t = first_text(c)) return t;
  }
  return nullptr;
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

// "&amp;", "&#65;", "&#x41;" at s[i] ('&'): the text and the octets used,
// or 0 octets for an unknown reference (the "&" is then kept).
size_t entity(std::string_view s, size_t i, std::string& out) {
  size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  std::string_view name = s.substr(i + 1, semi - i - 1);
  static constexpr struct {
    const char* name;
    const char* text;
  } kNamed[] = {{"amp", "&"},         {"lt", "<"},       {"gt", ">"},         {"quot", "\""},
                {"apos", "'"},        {"nbsp", " "},     {"mdash", "\u2014"}, {"ndash", "\u2013"},
                {"hellip", "\u2026"}, {"copy", "\u00a9"}};
  for (const auto& e : kNamed) {
    if (name == e.name) {
      out += e.text;
      return semi - i + 1;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  bool hex = name[1] == 'x' || name[1] == 'X';
  uint32_t cp = 0;
  for (char c : name.substr(hex ? 2 : 1)) {
    int d = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (d < 0 || cp > 0x10ffff) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  append_utf8(out, cp);
  return semi - i + 1;
}

// The text of HTML: tags dropped, <head>/<style>/<script> with their content.
std::string html_text(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      size_t n = entity(s, i, out);
      if (n > 0) {
        i += n;
        continue;
      }
    }
    if (s[i] != '<') {
      out += s[i++];
      continue;
    }
    size_t end = s.find('>', i);
    if (end == std::string_view::npos) break;
    std::string_view tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    for (const char* skip : {"head", "style", "script"}) {
      size_t n = strlen(skip);
      if (tag.size() >= n && strncasecmp(tag.data(), skip, n) == 0 &&
          (tag.size() == n || space(tag[n]))) {
        std::string close = std::string("</") + skip;
        size_t j = i;
        while (j < s.size() && strncasecmp(s.data() + j, close.data(), close.size()) != 0) ++j;
        size_t e = s.find('>', j);
        i = e == std::string_view::npos ? s.size() : e + 1;
      }
    }
    out += ' ';  // a tag separates words: "a<br>b"
  }
  return out;
}

}  // namespace

std::string preview_text(std::string_view utf8, bool html) {
  std::string text = html ? html_text(utf8) : std::string(utf8);
  std::string out;
  size_t chars = 0;
  bool pending_space = false;
  size_t i = 0;
  while (i < text.size() && chars < kMaxPreview) {
    size_t start = i;
    uint32_t cp = next_code_point(text, i);
    if (cp <= 0x20 || cp == 0x7f || cp == 0xa0) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
      if (++chars == kMaxPreview) break;
    }
    out.append(text, start, i - start);
    ++chars;
  }
  return out;
}

std::string preview(std::string_view message, const Part& root) {
  const Part* p = first_text(root);
  if (p == nullptr || p->body_offset() >= message.size()) return "";
  std::string_view raw = message.substr(p->body_offset(), std::min(p->body_size, kMaxSource));
  auto decoded = decode_transfer(raw, p->encoding);
  std::string bytes = decoded ? std::move(*decoded) : std::string(raw);
  std::string_view cs = p->charset();
  // Undeclared 8-bit text is common: us-ascii then means "not said".
  bool eight_bit = false;
  for (char c : bytes) eight_bit |= static_cast<unsigned char>(c) >= 0x80;
  if (eight_bit && strcasecmp(std::string(cs).c_str(), "us-ascii") == 0) cs = {};
  return preview_text(sanitize_utf8(text_to_utf8(bytes, cs)), p->content_type.subtype == "html");
}

}  // namespace mox::message
