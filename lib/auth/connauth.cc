#include "auth/connauth.h"

#include <ctime>

#include "auth/attempt.h"
#include "auth/authdb.h"
#include "auth/limiter.h"

namespace mox::auth {

ConnAuth::ConnAuth(std::shared_ptr<const config::Config> cfg, std::string protocol,
                   std::string remote_ip, std::string local_ip)
    : cfg_(std::move(cfg)), protocol_(std::move(protocol)), remote_ip_(std::move(remote_ip)),
      local_ip_(std::move(local_ip)) {}

ConnAuth::~ConnAuth() = default;

store::Db* ConnAuth::db() {
  if (!db_) {
    auto d = open_auth_db(cfg_->data_dir());
    if (!d) return nullptr;
    db_.emplace(std::move(*d));
  }
  return &*db_;
}

sasl::Context ConnAuth::sasl_context(bool tls, const std::optional<std::string>& channel_binding) {
  if (!creds_) {
    if (store::Db* d = db()) creds_ = std::make_unique<AccountCredentials>(*cfg_, *d);
  }
  sasl::Context c;
  c.creds = creds_.get();
  c.channel_binding = channel_binding;
  c.tls = tls;
  c.hostname = cfg_->static_config().hostname;
  return c;
}

bool ConnAuth::allowed() {
  if (remote_ip_.empty()) return true;  // a pipe (tests, local tools)
  store::Db* d = db();
  if (!d) return true;
  auto ok = auth_allowed(*d, remote_ip_, std::time(nullptr));
  return !ok || *ok;
}

void ConnAuth::attempt(std::string_view mech, std::string_view username, std::string_view account,
                       std::string_view result, std::string_view user_agent) {
  store::Db* d = db();
  if (!d) return;
  AttemptBuilder b(protocol_, remote_ip_, local_ip_);
  b.tls(tls_description_).mechanism(std::string(mech)).login_address(username);
  b.account(std::string(account)).result(result).user_agent(user_agent);
  (void)b.record(*d, std::time(nullptr));
  if (remote_ip_.empty()) return;
  if (result == "ok") {
    (void)auth_succeeded(*d, remote_ip_);
  } else if (result == "badcreds" || result == "badchanbind") {
    (void)auth_failed(*d, remote_ip_, std::time(nullptr));
  }
}

}  // namespace mox::auth
