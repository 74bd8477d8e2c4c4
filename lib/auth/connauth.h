// Authentication state that SMTP submission and IMAP connections share: the
// credential lookup, the per-IP limiter and login-attempt records, over one
// lazily opened auth.db (SPEC B §5, §9).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "config/config.h"
#include "sasl/sasl.h"
#include "store/sqlite.h"

namespace mox::auth {

class ConnAuth {
 public:
  ConnAuth(std::shared_ptr<const config::Config> cfg, std::string protocol, std::string remote_ip,
           std::string local_ip);
  ~ConnAuth();
  void set_tls_description(std::string d) { tls_description_ = std::move(d); }
  sasl::Context sasl_context(bool tls, const std::optional<std::string>& channel_binding);
  // False when the per-IP failed-auth limit is reached.
  bool allowed();
  // Records the attempt and updates the limiter.
  void attempt(std::string_view mech, std::string_view username, std::string_view account,
               std::string_view result, std::string_view user_agent = {});
  store::Db* db();  // nullptr when auth.db cannot be opened

 private:
  std::shared_ptr<const config::Config> cfg_;
  std::string protocol_, remote_ip_, local_ip_, tls_description_;
  std::optional<store::Db> db_;
  std::unique_ptr<AccountCredentials> creds_;
};

}  // namespace mox::auth
