#include "auth/connauth.h"

#include <ctime>

#include "auth/attempt.h"
#include "auth/authdb.h"
#include "auth/limiter.h"
#include "auth/tlspubkey.h"
#include "crypto/cert.h"
#include "log/log.h"
#include "tls/server.h"

namespace mox::auth {

ConnAuth::ConnAuth(std::shared_ptr<const config::Config> cfg, std::string protocol,
                   std::string remote_ip, std::string local_ip, int64_t max_failed_attempts)
    : cfg_(std::move(cfg)),
      protocol_(std::move(protocol)),
      remote_ip_(std::move(remote_ip)),
      local_ip_(std::move(local_ip)),
      max_failed_attempts_(max_failed_attempts) {}

ConnAuth::~ConnAuth() = default;

db::Db* ConnAuth::db() {
  if (!db_) {
    auto d = open_auth_db(cfg_->data_dir());
    if (!d) return nullptr;
    db_.emplace(std::move(*d));
  }
  return &*db_;
}

bool ConnAuth::check_cert(X509* leaf, std::optional<CertLogin>& login) {
  // mox-smtpd(8) "Authentication": with the limit reached, no authentication at
  // all; the protocol refuses the connection after the handshake.
  if (!allowed()) return true;
  Result<std::string> fp = crypto::cert_spki_fingerprint(leaf);
  cert_fingerprint_ = fp ? *fp : "";
  db::Db* d = db();
  if (d == nullptr) return false;
  Result<CertLogin> l = cert_login(*cfg_, *d, leaf);
  if (!l) {
    bool refused = l.error().kind == ErrorKind::kNotFound;
    attempt(kMechTLSClientAuth, "", "", refused ? "badcreds" : "error");
    return false;
  }
  login = std::move(*l);
  return true;
}

Result<TLSState> ConnAuth::start_tls(net::Conn& conn, SSL_CTX* ctx,
                                     std::chrono::milliseconds timeout) {
  std::optional<CertLogin> login;
  tls::ClientCertCheck check = [&](X509* leaf) { return check_cert(leaf, login); };
  MOX_TRY(conn.start_tls_server(ctx, timeout,
                                [&](SSL* ssl) { tls::set_client_cert_check(ssl, &check); }));
  TLSState t;
  t.active = true;
  t.description = conn.tls_description();
  if (auto cb = conn.tls_exporter_channel_binding()) t.channel_binding = *cb;
  set_tls_description(t.description);
  X509* peer = conn.peer_certificate();
  bool asked = (SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_PEER) != 0;
  if (conn.tls_resumed() && peer != nullptr && asked) {
    // The handshake check did not run (docs/DESIGN.md "Shared state between
    // processes", TLS session resumption); the key may have
    // been removed since the session was made.
    if (!check_cert(peer, login)) {
      t.cert_error = "unknown or removed tls public key";
      return t;
    }
  }
  if (login) {
    cert_fingerprint_ = login->fingerprint;
    attempt(kMechTLSClientAuth, login->login_address, login->account,
            login->login_disabled.empty() ? "ok" : "logindisabled");
    t.cert = std::move(login);
  }
  return t;
}

sasl::Context ConnAuth::sasl_context(const TLSState& tls) {
  if (!creds_) {
    if (db::Db* d = db()) creds_ = std::make_unique<AccountCredentials>(*cfg_, *d, remote_ip_);
  }
  sasl::Context c;
  c.creds = creds_.get();
  c.channel_binding = tls.channel_binding;
  c.tls = tls.active;
  if (tls.cert) {
    c.tls_cert_account = tls.cert->account;
    c.tls_cert_login_address = tls.cert->login_address;
  }
  c.hostname = cfg_->static_config().hostname;
  return c;
}

bool ConnAuth::allowed() {
  if (remote_ip_.empty()) return true;  // a pipe (tests, local tools)
  db::Db* d = db();
  if (!d) return true;
  auto ok = auth_allowed(*d, remote_ip_, std::time(nullptr));
  return !ok || *ok;
}

void ConnAuth::attempt(std::string_view mech, std::string_view username, std::string_view account,
                       std::string_view result, std::string_view user_agent) {
  db::Db* d = db();
  if (!d) return;
  AttemptBuilder b(protocol_, remote_ip_, local_ip_);
  b.tls(tls_description_)
      .tls_pubkey_fingerprint(cert_fingerprint_)
      .mechanism(std::string(mech))
      .login_address(username);
  b.account(std::string(account)).result(result).user_agent(user_agent);
  (void)b.record(*d, std::time(nullptr), max_failed_attempts_);
  // Never the password or the SASL data: only who tried what, and how it went.
  log::info("login attempt", {{"protocol", protocol_},
                              {"remote", remote_ip_},
                              {"mech", mech},
                              {"username", username},
                              {"account", account},
                              {"result", result},
                              {"useragent", user_agent},
                              {"tls", tls_description_}});
  if (remote_ip_.empty()) return;
  if (result == "ok") {
    (void)auth_succeeded(*d, remote_ip_, account);
  } else if (result == "badcreds" || result == "badchanbind") {
    (void)auth_failed(*d, remote_ip_, account, std::time(nullptr));
  }
}

}  // namespace mox::auth
