// Authentication state that SMTP submission and IMAP connections share: the
// TLS handshake with its client-certificate login (mox-smtpd(8)
// "Authentication"), the credential lookup, the per-IP limiter and
// login-attempt records, over one lazily opened auth.db (docs/DESIGN.md "Login
// attempts", "Shared state between processes").
//
// Thread-safety: one connection, one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authdb.h"
#include "auth/credentials.h"
#include "auth/tlsstate.h"
#include "config/config.h"
#include "db/sqlite.h"
#include "net/conn.h"
#include "sasl/sasl.h"

namespace mox::auth {

class ConnAuth {
 public:
  // `max_failed_attempts`: failed login-attempt rows kept per account
  // (auth/authdb.h).
  ConnAuth(std::shared_ptr<const config::Config> cfg, std::string protocol, std::string remote_ip,
           std::string local_ip, int64_t max_failed_attempts = kMaxFailedLoginAttempts);
  ~ConnAuth();

  // The server side of TLS on `conn` (implicit TLS, or after a STARTTLS
  // reply). On a context that requests client certificates, a presented
  // certificate is judged inside the handshake (mox-smtpd(8) "Authentication"):
  // unknown key, or a key whose address no longer leads to its account → the
  // handshake fails with alert bad_certificate and a failed attempt is
  // recorded; a registered key → TLSState::cert, and an attempt with mechanism
  // "tlsclientauth" and the fingerprint is recorded ("ok", or "logindisabled":
  // the protocol tells the client, docs/DESIGN.md "Differences from mox"). With
  // the per-IP limit reached the certificate is ignored (the protocol then
  // refuses the connection). A resumed session skips the handshake check, so
  // its stored certificate is checked again (docs/DESIGN.md "Shared state
  // between processes"): a key removed since gives TLSState::cert_error.
  // Errors: those of start_tls_server.
  Result<TLSState> start_tls(net::Conn& conn, SSL_CTX* ctx, std::chrono::milliseconds timeout);

  void set_tls_description(std::string d) { tls_description_ = std::move(d); }
  // The SASL context of the connection; a client-certificate login becomes
  // tls_cert_account / tls_cert_login_address (EXTERNAL, same-account rule).
  sasl::Context sasl_context(const TLSState& tls);
  // False when the per-IP failed-auth limit is reached.
  bool allowed();
  // Records the attempt and updates the limiter. Attempts of a connection
  // with a client certificate carry its fingerprint.
  void attempt(std::string_view mech, std::string_view username, std::string_view account,
               std::string_view result, std::string_view user_agent = {});
  db::Db* db();  // nullptr when auth.db cannot be opened

 private:
  // The ClientCertCheck of the handshake.
  bool check_cert(X509* leaf, std::optional<CertLogin>& login);

  std::shared_ptr<const config::Config> cfg_;
  std::string protocol_, remote_ip_, local_ip_, tls_description_, cert_fingerprint_;
  int64_t max_failed_attempts_;
  std::optional<db::Db> db_;
  std::unique_ptr<AccountCredentials> creds_;
};

}  // namespace mox::auth
