#include "auth/credentials.h"

#include <ctime>

#include "auth/limiter.h"
#include "auth/record.h"
#include "store/account.h"

namespace mox::auth {
namespace {

Error unknown_user() { return not_found("unknown user"); }

}  // namespace

Result<bool> account_removal_pending(db::Db& auth_db, const std::string& account) {
  MOX_ASSIGN(auto q, auth_db.prepare("SELECT 1 FROM AccountRemove WHERE AccountName=?"));
  q.bind(1, account);
  return q.step();
}

Result<std::string> login_address_account(const config::Config& config, std::string_view username) {
  Result<smtp::Address> addr = smtp::Address::parse(username);
  if (!addr.ok()) return unknown_user();
  const config::LookupResult r =
      config::Lookup(config).address(*addr, /*check_domain_disabled=*/false);
  // A catchall destination key starts with "@": not a login (see header).
  if (r.status != config::LookupResult::Status::kFound || r.canonical.empty() ||
      r.canonical[0] == '@' || config.account(r.account) == nullptr) {
    return unknown_user();
  }
  return r.account;
}

Result<sasl::AuthUser> AccountCredentials::lookup(std::string_view username) {
  MOX_ASSIGN(std::string account, login_address_account(config_, username));
  MOX_ASSIGN(bool removed, account_removal_pending(auth_db_, account));
  if (removed) return unknown_user();
  if (!remote_ip_.empty()) {
    MOX_ASSIGN(bool allowed,
               account_auth_allowed(auth_db_, account, remote_ip_, std::time(nullptr)));
    if (!allowed) return unknown_user();  // told apart from a wrong password by nothing
  }

  sasl::AuthUser u;
  u.account = account;
  u.login_address = smtp::Address::parse(username)->str();
  u.login_disabled = config_.account(account)->login_disabled;
  // An account whose store was never created has no password yet.
  Result<store::AccountStore> st = store::AccountStore::open(config_.account_dir(account), false);
  if (!st.ok()) {
    if (st.error().kind == ErrorKind::kNotFound) return u;
    return std::move(st).error();
  }
  MOX_ASSIGN(std::optional<store::PasswordRecord> rec, st->password());
  if (rec) u.password = password_secrets(*rec);
  return u;
}

}  // namespace mox::auth
