#include "imap/imapurl.h"

#include <strings.h>

#include <charconv>
#include <cstring>

#include "imap/parser.h"
#include "util/encoding.h"

namespace mox::imap {
namespace {

// RFC 3986 §2.1 percent-decoding.
Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int b = i + 2 < s.size() ? hex_byte(s, i + 1) : -1;
    if (b < 0) return syntax_error("invalid percent-encoding in the URL");
    out += static_cast<char>(b);
    i += 2;
  }
  return out;
}

template <class T>
Result<T> number(std::string_view s) {
  T v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return syntax_error("invalid number in the URL");
  }
  return v;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// One ";NAME=value" parameter (the ";" taken), its trailing "/" removed.
Status parameter(std::string_view p, ImapUrl& u, bool& have_uid) {
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  size_t eq = p.find('=');
  if (eq == std::string_view::npos) return syntax_error("URL parameter without a value");
  std::string_view name = p.substr(0, eq), value = p.substr(eq + 1);
  auto is = [&](const char* n) { return name.size() == strlen(n) && starts_with_nocase(name, n); };
  if (is("UIDVALIDITY")) {
    MOX_ASSIGN(u.uidvalidity, number<uint32_t>(value));
  } else if (is("UID")) {
    MOX_ASSIGN(u.uid, number<uint32_t>(value));
    have_uid = u.uid != 0;
  } else if (is("SECTION")) {
    MOX_ASSIGN(u.section, percent_decode(value));
  } else if (is("PARTIAL")) {
    size_t dot = value.find('.');
    MOX_ASSIGN(uint64_t off, number<uint64_t>(value.substr(0, dot)));
    u.partial_offset = off;
    if (dot != std::string_view::npos) {
      MOX_ASSIGN(uint64_t len, number<uint64_t>(value.substr(dot + 1)));
      if (len == 0) return syntax_error("PARTIAL length 0");
      u.partial_length = len;
    }
  } else {
    return syntax_error("unsupported URL parameter " + std::string(name));
  }
  return {};
}

}  // namespace

Result<ImapUrl> parse_imap_url(std::string_view url) {
  ImapUrl u;
  if (starts_with_nocase(url, "imap://")) {
    url.remove_prefix(7);
    size_t slash = url.find('/');
    if (slash == std::string_view::npos) return syntax_error("URL without a mailbox");
    url.remove_prefix(slash);
  }
  if (!url.empty() && url[0] == '/') {
    url.remove_prefix(1);
    // enc-mailbox holds no ";" (RFC 5092 §11 bchar): the name ends at the
    // first one, and at the "/" before it.
    size_t semi = url.find(';');
    std::string_view name = url.substr(0, semi);
    if (!name.empty() && name.back() == '/') name.remove_suffix(1);
    if (!name.empty()) {
      MOX_ASSIGN(std::string decoded, percent_decode(name));
      MOX_ASSIGN(u.mailbox, decode_mailbox(decoded, ParseOptions{true}));
    }
    url = semi == std::string_view::npos ? std::string_view() : url.substr(semi);
  }
  bool have_uid = false;
  while (!url.empty()) {
    if (url[0] != ';') return syntax_error("expected ;UID= in the URL");
    url.remove_prefix(1);
    size_t next = url.find(';');
    MOX_TRY(parameter(url.substr(0, next), u, have_uid));
    url = next == std::string_view::npos ? std::string_view() : url.substr(next);
  }
  if (!have_uid) return syntax_error("the URL names no message (;UID=n)");
  return u;
}

}  // namespace mox::imap
