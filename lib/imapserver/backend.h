// The IMAP session's Backend over the real config and stores.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/connauth.h"
#include "config/cache.h"
#include "imapserver/session.h"

namespace mox::imapserver {

class StoreBackend : public Backend {
 public:
  // `max_failed_attempts`: auth::ConnAuth's.
  StoreBackend(std::shared_ptr<const config::Config> cfg, std::string remote_ip,
               std::string local_ip, config::ConfigCache* cache,
               int64_t max_failed_attempts = auth::kMaxFailedLoginAttempts);
  ~StoreBackend() override;
  sasl::Context sasl_context(const TLSState& tls) override;
  bool auth_allowed() override;
  void auth_attempt(std::string_view mech, std::string_view username, std::string_view account,
                    std::string_view result, std::string_view user_agent) override;
  Result<std::unique_ptr<Mailstore>> open_account(const std::string& account) override;
  std::string account_gone(const std::string& account) override;
  // TLS with the client-certificate login (auth::ConnAuth::start_tls).
  Result<TLSState> start_tls(net::Conn& conn, SSL_CTX* ctx, std::chrono::milliseconds timeout) {
    return auth_.start_tls(conn, ctx, timeout);
  }
  std::vector<std::string> capabilities_disabled(const std::string& account) override;
  int64_t quota_message_size(const std::string& account) override;
  void log_error(std::string_view message) override;
  // The connection's socket, for client_gone(); -1 (the default) never is.
  void watch_client(int fd) { client_fd_ = fd; }
  bool client_gone() override;

 private:
  std::string remote_ip_;
  int client_fd_ = -1;
  std::shared_ptr<const config::Config> cfg_;
  config::ConfigCache* cache_;
  auth::ConnAuth auth_;
};

}  // namespace mox::imapserver
