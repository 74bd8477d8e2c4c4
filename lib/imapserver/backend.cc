#include "imapserver/backend.h"

#include <poll.h>

#include <ctime>
#include <iostream>

#include "auth/attempt.h"
#include "auth/credentials.h"
#include "log/log.h"

namespace mox::imapserver {

StoreBackend::StoreBackend(std::shared_ptr<const config::Config> cfg, std::string remote_ip,
                           std::string local_ip, config::ConfigCache* cache,
                           int64_t max_failed_attempts)
    : remote_ip_(remote_ip),
      cfg_(cfg),
      cache_(cache),
      auth_(cfg, std::string(auth::kProtocolIMAP), std::move(remote_ip), std::move(local_ip),
            max_failed_attempts) {}

StoreBackend::~StoreBackend() = default;

sasl::Context StoreBackend::sasl_context(const TLSState& tls) { return auth_.sasl_context(tls); }

bool StoreBackend::auth_allowed() { return auth_.allowed(); }

void StoreBackend::auth_attempt(std::string_view mech, std::string_view username,
                                std::string_view account, std::string_view result,
                                std::string_view user_agent) {
  auth_.attempt(mech, username, account, result, user_agent);
}

Result<std::unique_ptr<Mailstore>> StoreBackend::open_account(const std::string& account) {
  return open_mailstore(cfg_->account_dir(account));
}

std::string StoreBackend::account_gone(const std::string& account) {
  // Fresh config: a removal or login-disable by mox-config ends the session.
  std::shared_ptr<const config::Config> c = cache_ ? cache_->get() : cfg_;
  const config::Account* a = c->account(account);
  if (!a) return "account removed";
  if (db::Db* db = auth_.db()) {
    if (auto gone = auth::account_removal_pending(*db, account); gone && *gone)
      return "account removed";
  }
  if (!a->login_disabled.empty()) return "login disabled for account: " + a->login_disabled;
  return "";
}

std::vector<std::string> StoreBackend::capabilities_disabled(const std::string& account) {
  std::shared_ptr<const config::Config> c = cache_ ? cache_->get() : cfg_;
  const config::Account* a = c->account(account);
  return a ? a->imap_capabilities_disabled : std::vector<std::string>();
}

int64_t StoreBackend::quota_message_size(const std::string& account) {
  std::shared_ptr<const config::Config> c = cache_ ? cache_->get() : cfg_;
  return c->quota_message_size(account);
}

bool StoreBackend::client_gone() {
  if (client_fd_ < 0) return false;
  // The peer's FIN or RST; pending input (a pipelined command) is not read.
  pollfd p{client_fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void StoreBackend::log_error(std::string_view message) {
  log::error("server error", {{"remote", remote_ip_}, {"cause", message}});
}

}  // namespace mox::imapserver
