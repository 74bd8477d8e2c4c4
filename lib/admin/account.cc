#include <unistd.h>

#include <chrono>

#include "admin/admin.h"
#include "admin/internal.h"
#include "admin/names.h"
#include "auth/authdb.h"
#include "auth/record.h"
#include "queue/queuedb.h"
#include "sasl/secrets.h"
#include "smtp/address.h"
#include "store/notify.h"
#include "util/fs.h"

namespace mox::admin {

Result<store::AccountStore> open_account(const config::Config& c, const std::string& account,
                                         bool create) {
  if (!c.account(account)) return not_found("account \"" + account + "\" does not exist");
  MOX_ASSIGN(db::Db adb, auth::open_auth_db(c.data_dir()));
  MOX_ASSIGN(auto pending, auth::pending_account_removals(adb));
  for (const auto& p : pending) {
    if (p == account) return user_error("account \"" + account + "\" has been removed");
  }
  return store::AccountStore::open(c.account_dir(account), create);
}

Status account_add(const std::string& cfg, const std::string& account, const std::string& address) {
  MOX_TRY(AccountName::parse(account));
  if (!address.empty() && address[0] == '@') {
    return user_error("catchall address not allowed for a new account; use address add");
  }
  MOX_ASSIGN(smtp::Address a, smtp::Address::parse(address));
  MOX_TRY(check_address_key(a.str()));
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  if (c->account(account)) return user_error("account \"" + account + "\" already exists");
  if (!c->domain(a.domain().str())) {
    return user_error("domain \"" + a.domain().str() + "\" does not exist");
  }
  MOX_TRY(check_new_account_dir(*c, account));
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    if (dyn.accounts.count(account))
      return user_error("account \"" + account + "\" already exists");
    config::Account acc;
    acc.domain = a.domain().str();
    acc.destinations[a.str()] = {};
    // New accounts only get generated passwords (domains.conf(5)
    // NoCustomPassword).
    acc.no_custom_password = true;
    dyn.accounts[account] = acc;
    return {};
  });
  if (!r) return std::move(r).error();
  return {};
}

Status account_rm(const std::string& cfg, const std::string& account) {
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  const config::Account* acc = c->account(account);
  if (!acc) return user_error("account \"" + account + "\" does not exist");
  // docs/DESIGN.md "Differences from mox": validate the config change before
  // any side effect.
  config::Dynamic without = c->dynamic();
  without.accounts.erase(account);
  if (auto v = config::Config::make(c->static_path(), c->static_config(), without); !v) {
    return user_error("cannot remove account \"" + account + "\": " + v.error().message);
  }
  std::string data = c->data_dir();
  {
    MOX_ASSIGN(db::Db qdb, queue::open_queue_db(data));
    int64_t keep =
        std::chrono::duration_cast<std::chrono::seconds>(acc->keep_retired_message_period).count();
    MOX_TRY(
        queue::fail_account_messages(qdb, data, account, "account removed", keep, db::now_unix()));
    MOX_TRY(queue::remove_account_suppressions(qdb, account));
    MOX_TRY(queue::remove_account_outgoing(qdb, account));
  }
  crashpoint("account-rm-after-queue");
  {
    MOX_ASSIGN(db::Db adb, auth::open_auth_db(data));
    MOX_TRY(auth::add_account_removal(adb, account));
  }
  crashpoint("account-rm-after-intent");
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    if (!dyn.accounts.erase(account))
      return user_error("account \"" + account + "\" does not exist");
    return {};
  });
  if (!r) return std::move(r).error();
  // Sessions that hold the account (and so keep the removal pending) wake up,
  // find it gone from the config and end (docs/DESIGN.md "Shared state between
  // processes").
  (void)store::notify_account_change(c->account_dir(account));
  crashpoint("account-rm-after-config");
  MOX_TRY(remove_account_data(**r, account));
  return {};
}

Status account_set_login_disabled(const std::string& cfg, const std::string& account,
                                  const std::string& message) {
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    auto it = dyn.accounts.find(account);
    if (it == dyn.accounts.end()) return user_error("account \"" + account + "\" does not exist");
    it->second.login_disabled = message;
    return {};
  });
  if (!r) return std::move(r).error();
  return {};
}

Status account_set_password(const std::string& cfg, const std::string& account,
                            const std::string& password) {
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  if (!c->account(account)) return user_error("account \"" + account + "\" does not exist");
  MOX_ASSIGN(sasl::PasswordSecrets s, sasl::derive_secrets(password));
  MOX_ASSIGN(store::AccountStore st, open_account(*c, account, true));
  return st.set_password(auth::password_record(s));
}

Result<std::string> account_generate_password(const std::string& cfg, const std::string& account) {
  std::string pw = sasl::generate_password();
  MOX_TRY(account_set_password(cfg, account, pw));
  return pw;
}

}  // namespace mox::admin
