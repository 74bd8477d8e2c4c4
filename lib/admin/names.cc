#include "admin/names.h"

#include "dkim/signature.h"
#include "store/mailbox.h"
#include "util/json.h"
#include "util/utf8.h"

namespace mox::admin {
namespace {

bool ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// 1 to `max` of [A-Za-z0-9._-], the first not "." nor "-".
bool portable_name(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || s[0] == '.' || s[0] == '-') return false;
  for (char c : s) {
    if (!ascii_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool surrounding_space(std::string_view s) {
  return !s.empty() && (s.front() == ' ' || s.back() == ' ');
}

// The message quotes the value, and `rule` may quote it again (messages of
// smtp::Address and the like): kept to printable UTF-8 on one line.
Error bad(std::string_view what, std::string_view value, std::string_view rule) {
  return user_error(escape_unprintable(std::string(what) + " " + json_quote(value) +
                                       " is not valid: " + std::string(rule)));
}

}  // namespace

Result<AccountName> AccountName::parse(std::string_view s) {
  if (!portable_name(s, 64) || s[0] == '_') {
    return bad("account name", s,
               "use 1 to 64 ASCII letters, digits, \".\", \"_\" and \"-\", starting with a "
               "letter or digit");
  }
  return AccountName(std::string(s));
}

Status check_domain_name(std::string_view s) {
  auto d = smtp::Domain::parse(s);
  if (!d) return bad("domain", s, d.error().message);
  if (d->str() != s) return bad("domain", s, "write it as " + json_quote(d->str()));
  if (!printable_utf8(s)) return bad("domain", s, "control character");
  return {};
}

Status check_localpart(const smtp::Localpart& lp) {
  const std::string& v = lp.value();
  if (!printable_utf8(v)) return bad("localpart", v, "control character");
  // domains.conf cannot hold these in keys: "#" starts a comment line, ": "
  // ends a key (config/sconf.h).
  if (lp.wire()[0] == '#') return bad("localpart", v, "starts with \"#\"");
  if (v.find(':') != std::string::npos) return bad("localpart", v, "has \":\"");
  return {};
}

Status check_address_key(std::string_view key) {
  if (!key.empty() && key[0] == '@') return check_domain_name(key.substr(1));
  auto a = smtp::Address::parse(key);
  if (!a) return bad("address", key, a.error().message);
  if (a->str() != key) return bad("address", key, "write it as " + json_quote(a->str()));
  MOX_TRY(check_domain_name(a->domain().str()));
  return check_localpart(a->localpart());
}

Status check_mailbox_name(std::string_view s) {
  auto n = store::normalize_mailbox_name(s);
  if (!n) return bad("mailbox name", s, n.error().message);
  if (!printable_utf8(s)) return bad("mailbox name", s, "control character");
  if (surrounding_space(s)) return bad("mailbox name", s, "leading or trailing space");
  return {};
}

Status check_login_disabled_message(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 256 && !surrounding_space(s);
  for (char c : s) ok = ok && c >= 0x20 && c <= 0x7e;
  if (!ok) {
    return bad("message", s,
               "use 1 to 256 printable ASCII characters, without leading or trailing space");
  }
  return {};
}

Status check_text_line(std::string_view what, std::string_view s, size_t max) {
  if (s.size() > max) return bad(what, s, "longer than " + std::to_string(max) + " bytes");
  if (!printable_utf8(s)) return bad(what, s, "control character or not UTF-8");
  if (surrounding_space(s)) return bad(what, s, "leading or trailing space");
  return {};
}

Status check_dkim_selector(std::string_view s) {
  auto sel = dkim::Selector::parse(s);
  if (!sel) return bad("DKIM selector", s, sel.error().message);
  if (sel->str() != s) return bad("DKIM selector", s, "write it as " + json_quote(sel->str()));
  return {};
}

Status check_catchall_separator(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 16;
  for (char c : s) ok = ok && static_cast<unsigned char>(c) < 0x80 && smtp::is_atext(c);
  if (!ok) return bad("catchall separator", s, "use 1 to 16 ASCII atext characters");
  return {};
}

Status check_unix_user(std::string_view s) {
  if (!portable_name(s, 32)) {
    return bad("user name", s,
               "use 1 to 32 ASCII letters, digits, \".\", \"_\" and \"-\", not starting "
               "with \".\" or \"-\"");
  }
  return {};
}

}  // namespace mox::admin
