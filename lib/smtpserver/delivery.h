// The Backend of SMTP sessions over the real config and stores.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/connauth.h"
#include "config/config.h"
#include "smtpserver/backend.h"
#include "store/sqlite.h"

namespace mox::smtpserver {

struct ConnInfo {
  std::string remote_ip, local_ip;
  bool submission = false;
  std::string hostname;  // of the listener, for Received headers
};

class StoreBackend : public Backend {
 public:
  StoreBackend(std::shared_ptr<const config::Config> cfg, ConnInfo conn);
  ~StoreBackend() override;

  RcptResult check_recipient(const smtp::Address& a, const std::string& sender_account) override;
  SenderStatus check_sender(const std::string& account, const smtp::Address& from) override;
  bool auth_allowed() override;
  void auth_attempt(std::string_view mech, std::string_view username, std::string_view account,
                    std::string_view result) override;
  sasl::Context sasl_context(const TLSState& tls) override;
  Result<std::unique_ptr<Spool>> begin_message() override;
  smtp::Reply deliver(const SessionInfo& info, const Transaction& tx,
                      std::unique_ptr<Spool> spool) override;

  // TLS with the client-certificate login (auth::ConnAuth::start_tls).
  Result<TLSState> start_tls(net::Conn& conn, SSL_CTX* ctx, std::chrono::milliseconds timeout) {
    return auth_.start_tls(conn, ctx, timeout);
  }

 private:
  std::optional<smtp::Reply> check_from_header(const SessionInfo& info);
  Result<std::string> dkim_signatures(const SessionInfo& info, const std::string& extra, int fd) const;
  std::string received_header(const SessionInfo& info, const Transaction& tx,
                              const std::string& id, const std::string& for_rcpt) const;

  std::shared_ptr<const config::Config> cfg_;
  ConnInfo conn_;
  auth::ConnAuth auth_;
};

}  // namespace mox::smtpserver
