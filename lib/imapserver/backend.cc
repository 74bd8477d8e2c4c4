#include "imapserver/backend.h"

#include <ctime>

#include "auth/attempt.h"
#include "auth/authdb.h"
#include "auth/credentials.h"
#include "auth/limiter.h"

namespace mox::imapserver {

StoreBackend::StoreBackend(std::shared_ptr<const config::Config> cfg, std::string remote_ip,
                           std::string local_ip, config::ConfigCache* cache)
    : cfg_(std::move(cfg)), remote_ip_(std::move(remote_ip)), local_ip_(std::move(local_ip)),
      cache_(cache) {}

StoreBackend::~StoreBackend() = default;

store::Db* StoreBackend::auth_db() {
  if (!auth_db_) {
    auto db = auth::open_auth_db(cfg_->data_dir());
    if (!db) return nullptr;
    auth_db_.emplace(std::move(*db));
  }
  return &*auth_db_;
}

sasl::Context StoreBackend::sasl_context(const TLSState& tls) {
  if (!creds_) {
    if (store::Db* db = auth_db()) creds_ = std::make_unique<auth::AccountCredentials>(*cfg_, *db);
  }
  sasl::Context c;
  c.creds = creds_.get();
  c.channel_binding = tls.channel_binding;
  c.tls = tls.active;
  c.hostname = cfg_->static_config().hostname;
  return c;
}

bool StoreBackend::auth_allowed() {
  if (remote_ip_.empty()) return true;
  store::Db* db = auth_db();
  if (!db) return true;
  auto ok = auth::auth_allowed(*db, remote_ip_, std::time(nullptr));
  return !ok || *ok;
}

void StoreBackend::auth_attempt(std::string_view mech, std::string_view username,
                                std::string_view account, std::string_view result,
                                std::string_view user_agent) {
  store::Db* db = auth_db();
  if (!db) return;
  auth::AttemptBuilder b(auth::kProtocolIMAP, remote_ip_, local_ip_);
  b.tls(tls_description_).mechanism(std::string(mech)).login_address(username);
  b.account(std::string(account)).result(result).user_agent(user_agent);
  (void)b.record(*db, std::time(nullptr));
  if (remote_ip_.empty()) return;
  if (result == "ok") {
    (void)auth::auth_succeeded(*db, remote_ip_);
  } else if (result == "badcreds" || result == "badchanbind") {
    (void)auth::auth_failed(*db, remote_ip_, std::time(nullptr));
  }
}

Result<std::unique_ptr<store::AccountStore>> StoreBackend::open_account(const std::string& account) {
  MOX_ASSIGN(auto st, store::AccountStore::open(cfg_->account_dir(account), true));
  return std::make_unique<store::AccountStore>(std::move(st));
}

std::string StoreBackend::account_gone(const std::string& account) {
  // Fresh config: a removal or login-disable by mox-config ends the session.
  std::shared_ptr<const config::Config> c = cache_ ? cache_->get() : cfg_;
  const config::Account* a = c->account(account);
  if (!a) return "account removed";
  if (store::Db* db = auth_db()) {
    if (auto gone = auth::account_removal_pending(*db, account); gone && *gone) return "account removed";
  }
  if (!a->login_disabled.empty()) return "login disabled for account: " + a->login_disabled;
  return "";
}

}  // namespace mox::imapserver
