#include "authres/header.h"

#include "authres/internal.h"
#include "message/header.h"
#include "util/ascii.h"

namespace mox::authres {
namespace {

constexpr size_t kLineMax = 78;  // RFC 5322 §2.1.1

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!token_char(c)) return false;
  }
  return true;
}

// §2.2 pvalue: a token, or [local-part] "@" domain-name written bare.
bool is_bare_pvalue(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!token_char(c) && c != '@') return false;
  }
  return true;
}

std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (is_ctl(c)) c = ' ';
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : printable(s)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string comment(std::string_view s) {
  std::string out = "(";
  for (char c : printable(s)) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out + ")";
}

// The items of one method, each to be kept whole on a line.
std::vector<std::string> items(const Method& m) {
  std::vector<std::string> w{m.method + "=" + m.result};
  if (!m.comment.empty()) w.push_back(comment(m.comment));
  if (!m.reason.empty())
    w.push_back("reason=" + (is_token(m.reason) ? m.reason : quoted(m.reason)));
  for (const Property& p : m.props) {
    w.push_back(p.type + "." + p.name + "=" +
                (is_bare_pvalue(p.value) ? p.value : quoted(p.value)));
  }
  return w;
}

}  // namespace

std::string format(const Header& h) {
  std::string id = is_token(h.authserv_id) ? h.authserv_id : quoted(h.authserv_id);
  std::string out = "Authentication-Results: " + id + ";";
  if (h.methods.empty()) return out + " none\r\n";
  for (size_t i = 0; i < h.methods.size(); ++i) {
    std::vector<std::string> w = items(h.methods[i]);
    if (i + 1 < h.methods.size()) w.back() += ";";
    out += "\r\n\t" + w[0];
    size_t line = 1 + w[0].size();  // the tab is one octet
    for (size_t j = 1; j < w.size(); ++j) {
      if (line + 1 + w[j].size() > kLineMax) {
        out += "\r\n\t" + w[j];
        line = 1 + w[j].size();
      } else {
        out += " " + w[j];
        line += 1 + w[j].size();
      }
    }
  }
  return out + "\r\n";
}

Scrubbed scrub(std::string_view header_section, std::string_view id) {
  auto h = message::parse_header(header_section);
  if (!h) return Scrubbed{std::string(header_section), 0, {}};
  return scrub(header_section, *h, id);
}

Scrubbed scrub(std::string_view header_section, const message::Header& h, std::string_view id) {
  Scrubbed s;
  if (id.empty()) {
    s.header = std::string(header_section);
    return s;
  }
  size_t copied = 0;
  for (size_t i = 0; i < h.fields.size(); ++i) {
    const message::HeaderField& f = h.fields[i];
    if (!f.is("Authentication-Results") || !ascii_iequal(authserv_id(f.raw_value), id)) continue;
    s.header.append(header_section.substr(copied, f.offset - copied));
    copied = f.offset + f.length;
    ++s.count;
    s.removed.push_back(i);
  }
  s.header.append(header_section.substr(copied));
  return s;
}

}  // namespace mox::authres
