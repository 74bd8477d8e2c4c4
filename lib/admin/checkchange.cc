// check_new_values: the grammars of names.h applied to what a change adds.
#include <map>
#include <optional>

#include "admin/names.h"
#include "smtp/address.h"
#include "util/json.h"
#include "util/utf8.h"

namespace mox::admin {
namespace {

constexpr size_t kMaxText = 256;   // FullName, Description
constexpr size_t kMaxPath = 1024;  // file names

template <class T>
const T* lookup(const std::map<std::string, T>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

// True when `now` is new or differs from what `old` (nullptr: absent) held.
bool changed(const std::string* old, const std::string& now) { return !old || *old != now; }

Status check_reporting(const std::optional<config::ReportingAddress>& old,
                       const std::optional<config::ReportingAddress>& now) {
  if (!now) return {};
  const config::ReportingAddress* o = old ? &*old : nullptr;
  if (changed(o ? &o->localpart : nullptr, now->localpart)) {
    auto lp = smtp::Localpart::from_value(now->localpart);
    if (!lp) {
      return user_error(escape_unprintable("reporting localpart " + json_quote(now->localpart) +
                                           ": " + lp.error().message));
    }
    MOX_TRY(check_localpart(*lp));
  }
  if (!now->domain.empty() && changed(o ? &o->domain : nullptr, now->domain)) {
    MOX_TRY(check_domain_name(now->domain));
  }
  if (changed(o ? &o->mailbox : nullptr, now->mailbox)) MOX_TRY(check_mailbox_name(now->mailbox));
  return {};
}

Status check_domain(const config::Domain* old, const std::string& name, const config::Domain& d) {
  if (!old) MOX_TRY(check_domain_name(name));
  if (changed(old ? &old->description : nullptr, d.description)) {
    MOX_TRY(check_text_line("description", d.description, kMaxText));
  }
  if (!d.client_settings_domain.empty() &&
      changed(old ? &old->client_settings_domain : nullptr, d.client_settings_domain)) {
    MOX_TRY(check_domain_name(d.client_settings_domain));
  }
  if (!old || old->localpart_catchall_separator != d.localpart_catchall_separator ||
      old->localpart_catchall_separators != d.localpart_catchall_separators) {
    if (!d.localpart_catchall_separator.empty()) {
      MOX_TRY(check_catchall_separator(d.localpart_catchall_separator));
    }
    for (const auto& sep : d.localpart_catchall_separators) MOX_TRY(check_catchall_separator(sep));
  }
  for (const auto& [sel, s] : d.dkim.selectors) {
    const config::DKIMSelector* os = old ? lookup(old->dkim.selectors, sel) : nullptr;
    if (!os) MOX_TRY(check_dkim_selector(sel));
    if (changed(os ? &os->private_key_file : nullptr, s.private_key_file)) {
      MOX_TRY(check_text_line("private key file", s.private_key_file, kMaxPath));
    }
  }
  MOX_TRY(check_reporting(old ? old->dmarc : std::nullopt, d.dmarc));
  return check_reporting(old ? old->tlsrpt : std::nullopt, d.tlsrpt);
}

Status check_account(const config::Account* old, const std::string& name,
                     const config::Account& a) {
  if (!old) MOX_TRY(AccountName::parse(name));
  if (changed(old ? &old->description : nullptr, a.description)) {
    MOX_TRY(check_text_line("description", a.description, kMaxText));
  }
  if (changed(old ? &old->full_name : nullptr, a.full_name)) {
    MOX_TRY(check_text_line("full name", a.full_name, kMaxText));
  }
  if (!a.login_disabled.empty() &&
      changed(old ? &old->login_disabled : nullptr, a.login_disabled)) {
    MOX_TRY(check_login_disabled_message(a.login_disabled));
  }
  for (const auto& [key, dest] : a.destinations) {
    const config::Destination* od = old ? lookup(old->destinations, key) : nullptr;
    if (!od) MOX_TRY(check_address_key(key));
    if (!dest.mailbox.empty() && changed(od ? &od->mailbox : nullptr, dest.mailbox)) {
      MOX_TRY(check_mailbox_name(dest.mailbox));
    }
  }
  return {};
}

}  // namespace

Status check_new_values(const config::Dynamic& before, const config::Dynamic& after) {
  for (const auto& [name, d] : after.domains) {
    MOX_TRY(check_domain(lookup(before.domains, name), name, d));
  }
  for (const auto& [name, a] : after.accounts) {
    MOX_TRY(check_account(lookup(before.accounts, name), name, a));
  }
  return {};
}

}  // namespace mox::admin
