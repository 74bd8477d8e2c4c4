#include "message/section.h"

#include <strings.h>

#include <algorithm>
#include <limits>

#include "message/decode.h"
#include "message/header.h"

namespace mox::message {
namespace {

constexpr size_t kMaxPathLength = 100;
constexpr size_t kMaxFieldNames = 1000;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_ci(a, b);
}

// RFC 9051 §9 ATOM-CHAR (plus "]", which ASTRING-CHAR allows): any 7-bit
// CHAR but "(", ")", "{", SP, CTLs, list-wildcards, quoted-specials.
bool is_astring_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("(){%*\"\\").find(ch) == std::string_view::npos;
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")", names being
// atoms or quoted strings.
Result<std::vector<std::string>> parse_header_list(std::string_view s) {
  auto bad = [] { return syntax_error("section: bad header field list"); };
  if (s.empty() || s.front() != '(') return bad();
  std::vector<std::string> names;
  size_t i = 1;
  while (true) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) return bad();
    if (s[i] == ')') break;
    std::string name;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name += s[i];
      }
      if (i >= s.size()) return bad();
      ++i;
    } else {
      while (i < s.size() && is_astring_char(s[i])) name += s[i++];
    }
    if (name.empty() || names.size() >= kMaxFieldNames) return bad();
    names.push_back(std::move(name));
    if (i < s.size() && s[i] != ' ' && s[i] != ')') return bad();
  }
  if (names.empty() || i + 1 != s.size()) return bad();
  return names;
}

// The section-part prefix: nz-number *("." nz-number), each followed by "."
// and section-text or by the end. Consumes what it read from `s`.
Result<std::vector<uint32_t>> parse_path(std::string_view& s) {
  std::vector<uint32_t> path;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    uint64_t n = 0;
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n <= std::numeric_limits<uint32_t>::max())
      n = n * 10 + static_cast<uint64_t>(s[i++] - '0');
    if (n == 0 || n > std::numeric_limits<uint32_t>::max() || path.size() >= kMaxPathLength)
      return syntax_error("section: bad part number");
    path.push_back(static_cast<uint32_t>(n));
    s.remove_prefix(i);
    if (s.empty()) break;
    if (s.front() != '.' || s.size() == 1) return syntax_error("section: expected \".\"");
    s.remove_prefix(1);
  }
  return path;
}

std::string_view header_of(std::string_view msg, const Part& p) {
  return msg.substr(p.offset, p.header_size);
}

std::string_view body_of(std::string_view msg, const Part& p) {
  return msg.substr(p.body_offset(), p.body_size);
}

// HEADER.FIELDS / HEADER.FIELDS.NOT: the fields (not) named, as written, and
// the empty line (RFC 9051 §6.4.5).
std::string filter_header(std::string_view msg, const Part& p,
                          const std::vector<std::string>& names, bool exclude) {
  std::string_view raw = header_of(msg, p);
  HeaderLimits unlimited{raw.size() + 1, raw.size() + 1};  // bounded by the part itself
  std::string out;
  if (auto h = parse_header(raw, unlimited)) {
    for (const HeaderField& f : h->fields) {
      bool named =
          std::any_of(names.begin(), names.end(), [&](const std::string& n) { return f.is(n); });
      if (named == exclude) continue;
      out.append(raw.substr(f.offset, f.length));
      if (out.back() != '\n') out += "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

// HEADER, TEXT, HEADER.FIELDS[.NOT] of message `m`.
std::string msgtext(std::string_view msg, const Part& m, const SectionSpec& spec) {
  switch (spec.text) {
    case SectionSpec::Text::kHeader:
      return std::string(header_of(msg, m));
    case SectionSpec::Text::kText:
      return std::string(body_of(msg, m));
    case SectionSpec::Text::kHeaderFields:
      return filter_header(msg, m, spec.fields, false);
    case SectionSpec::Text::kHeaderFieldsNot:
      return filter_header(msg, m, spec.fields, true);
    case SectionSpec::Text::kAll:
      return std::string(msg.substr(m.offset, m.end() - m.offset));
    case SectionSpec::Text::kMime:
      break;
  }
  return {};
}

}  // namespace

Result<SectionSpec> parse_section_spec(std::string_view s) {
  SectionSpec spec;
  MOX_ASSIGN(spec.part, parse_path(s));
  using Text = SectionSpec::Text;
  if (s.empty()) return spec;
  if (equals_ci(s, "HEADER")) {
    spec.text = Text::kHeader;
  } else if (equals_ci(s, "TEXT")) {
    spec.text = Text::kText;
  } else if (equals_ci(s, "MIME") && !spec.part.empty()) {
    spec.text = Text::kMime;
  } else if (starts_with_ci(s, "HEADER.FIELDS.NOT ")) {
    spec.text = Text::kHeaderFieldsNot;
    MOX_ASSIGN(spec.fields, parse_header_list(s.substr(18)));
  } else if (starts_with_ci(s, "HEADER.FIELDS ")) {
    spec.text = Text::kHeaderFields;
    MOX_ASSIGN(spec.fields, parse_header_list(s.substr(14)));
  } else {
    return syntax_error("section: unknown section text");
  }
  return spec;
}

const Part* find_part(const Part& root, const std::vector<uint32_t>& path) {
  const Part* cur = &root;
  bool at_message = true;  // cur is a message: its body holds the parts numbered next
  for (uint32_t n : path) {
    const Part* m = at_message ? cur : cur->is_encapsulating() ? &cur->parts[0] : nullptr;
    const Part* container = m ? m : cur;
    if (container->is_multipart()) {
      if (n == 0 || n > container->parts.size()) return nullptr;
      cur = &container->parts[n - 1];
    } else if (m && n == 1) {
      cur = m;  // a message that is not multipart has one part: its body
    } else {
      return nullptr;
    }
    at_message = false;
  }
  return cur;
}

std::string section(std::string_view msg, const Part& root, const SectionSpec& spec) {
  if (root.end() > msg.size()) return {};  // not the message root was parsed from
  if (spec.part.empty()) return msgtext(msg, root, spec);
  const Part* p = find_part(root, spec.part);
  if (!p) return {};
  switch (spec.text) {
    case SectionSpec::Text::kAll:
      return std::string(body_of(msg, *p));
    case SectionSpec::Text::kMime:
      return std::string(header_of(msg, *p));
    default:
      return msgtext(msg, p->is_encapsulating() ? p->parts[0] : *p, spec);
  }
}

Result<std::string> section(std::string_view msg, const Part& root, std::string_view spec) {
  MOX_ASSIGN(SectionSpec s, parse_section_spec(spec));
  return section(msg, root, s);
}

std::string_view partial(std::string_view data, uint64_t offset, uint64_t count) {
  if (offset >= data.size()) return {};
  return data.substr(static_cast<size_t>(offset),
                     static_cast<size_t>(std::min<uint64_t>(count, data.size() - offset)));
}

Result<std::string> binary(std::string_view msg, const Part& root,
                           const std::vector<uint32_t>& path) {
  if (root.end() > msg.size()) return std::string();
  if (path.empty()) {
    if (root.is_multipart() || root.is_encapsulating())
      return std::string(msg.substr(0, root.end()));
    MOX_ASSIGN(std::string body, decode_transfer(body_of(msg, root), root.encoding));
    return filter_header(msg, root, {"Content-Transfer-Encoding"}, true) + body;
  }
  const Part* p = find_part(root, path);
  if (!p) return std::string();
  // A multipart or message/rfc822 part: its content whole, like BODY[path]
  // (its transfer encoding can only be an identity one, RFC 2045 §6.4).
  return decode_transfer(body_of(msg, *p), p->encoding);
}

Result<size_t> binary_size(std::string_view msg, const Part& root,
                           const std::vector<uint32_t>& path) {
  MOX_ASSIGN(std::string b, binary(msg, root, path));
  return b.size();
}

}  // namespace mox::message
