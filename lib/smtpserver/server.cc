#include "smtpserver/server.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "auth/connlimit.h"
#include "config/cache.h"
#include "daemon/listener.h"
#include "log/log.h"
#include "net/activation.h"
#include "net/conn.h"
#include "net/connlog.h"
#include "smtpserver/delivery.h"
#include "smtpserver/mxauth.h"
#include "util/fs.h"

namespace mox::smtpserver {
namespace {

using namespace std::chrono_literals;
// RFC 5321 §4.5.3.2: at least 5 minutes for commands and data blocks.
constexpr auto kIdleTimeout = 5min;
constexpr auto kWriteTimeout = 2min;
constexpr auto kHandshakeTimeout = 1min;

// The process's config, listener and TLS context (daemon/listener.h), and
// what its connections share.
struct Shared : daemon::ServerBase {
  explicit Shared(daemon::ServerBase b) : daemon::ServerBase(std::move(b)) {}
  Settings settings;
  // Accounts open in this process, shared by its connections (Accept=no).
  std::shared_ptr<store::AccountPool> accounts = std::make_shared<store::AccountPool>();
  std::unique_ptr<auth::ConnLimiter> limiter;
  std::unique_ptr<MxAuth> mx_auth;  // MX: checks of incoming mail's origin
  int64_t max_failed_login_attempts = auth::kMaxFailedLoginAttempts;
};

void log_error(const std::string& remote, const std::string& msg) {
  if (remote.empty()) return log::error(msg);
  log::error(msg, {{"remote", remote}});
}

// The TLS handshake, with the client-certificate login on submission
// (mox-smtpd(8) "Authentication"). False: the connection ends (handshake
// failed, or a resumed session's key was removed since: mox-smtpd(8)
// "Authentication" says SMTP just closes).
bool start_tls(net::Conn& conn, const Shared& sh, StoreBackend& backend, Session& session) {
  Result<TLSState> t = backend.start_tls(conn, sh.tls.get(), kHandshakeTimeout);
  if (!t) {
    log_error(conn.remote_ip(), t.error().message);
    return false;
  }
  if (!t->cert_error.empty()) {
    log_error(conn.remote_ip(), "tls session resumption: " + t->cert_error);
    conn.shutdown();
    return false;
  }
  session.tls_started(*t);
  return true;
}

void serve(net::Conn conn, const Shared& sh) {
  // Per-IP connection limits (auth/connlimit.h); RFC 5321 §3.8: 421 when
  // the service will not take the connection.
  SSL_CTX* implicit_tls = sh.settings.mode == Mode::kSubmissions ? sh.tls.get() : nullptr;
  auto slot =
      sh.limiter->admit(conn, implicit_tls, "421 4.7.0 too many connections from your address\r\n");
  if (!slot) return;
  ConnInfo ci{conn.remote_ip(),     conn.local_ip(),  sh.settings.mode != Mode::kSmtp,
              sh.settings.hostname, sh.mx_auth.get(), sh.max_failed_login_attempts};
  StoreBackend backend(sh.cache->get(), ci, sh.accounts);
  Session session(sh.settings, backend);
  net::ConnLog clog(conn, sh.settings.mode == Mode::kSmtp         ? "smtp"
                          : sh.settings.mode == Mode::kSubmission ? "submission"
                                                                  : "submissions");
  if (sh.settings.mode == Mode::kSubmissions && !start_tls(conn, sh, backend, session)) return;
  Output out = session.greeting();
  std::string buf(64 * 1024, '\0');
  while (true) {
    if (out.delay.count() > 0) std::this_thread::sleep_for(out.delay);
    if (!out.reply.empty() && !conn.write_all(out.reply, kWriteTimeout)) break;
    if (out.close) break;
    if (out.start_tls) {
      if (!start_tls(conn, sh, backend, session)) break;
      out = Output();
      continue;
    }
    auto n = conn.read_some(buf.data(), buf.size(), kIdleTimeout);
    if (!n) {
      if (n.error().kind == ErrorKind::kTimeout) {
        (void)conn.write_all("421 4.4.2 " + sh.settings.hostname + " timeout, closing\r\n", 10s);
      }
      break;
    }
    if (*n == 0) break;
    out = session.feed(std::string_view(buf.data(), *n));
  }
  session.end();
  clog.set_account(session.account());
  conn.shutdown();
}

// The process's state from the listener; the busy reply.
Result<std::string> setup(const ServerOptions& o, Shared& sh) {
  const config::Listener& l = *sh.listener;
  Settings& s = sh.settings;
  s.mode = o.mode;
  s.hostname = sh.hostname;
  s.max_message_size = sh.max_message_size;
  s.auth_delay_unit = o.auth_delay_unit;
  sh.max_failed_login_attempts =
      o.max_failed_login_attempts.value_or(auth::kMaxFailedLoginAttempts);
  if (sh.tls) {
    s.tls_configured = true;
  }
  sh.limiter = std::make_unique<auth::ConnLimiter>(
      sh.cfg->data_dir(), "smtp", auth::conn_limits(sh.cfg->static_config().connection_limits),
      "mox-smtpd");
  switch (o.mode) {
    case Mode::kSmtp:
      if (l.smtp.no_starttls) s.tls_configured = false;
      s.require_starttls = l.smtp.require_starttls;
      sh.mx_auth = std::make_unique<MxAuth>(sh.cache.get(), s.hostname);
      break;
    case Mode::kSubmission:
      s.auth_requires_tls = !l.submission.no_require_starttls;
      break;
    case Mode::kSubmissions:
      if (!sh.tls) return user_error("listener \"" + o.listener + "\" has no TLS for submissions");
      s.tls_configured = false;  // already TLS; no STARTTLS
      break;
  }
  // RFC 5321 §3.8: 421 when the service cannot take the connection.
  return "421 4.3.2 " + sh.cfg->static_config().hostname + " too busy, try again later\r\n";
}

}  // namespace

Result<Mode> parse_mode(const std::string& s) {
  if (s == "smtp") return Mode::kSmtp;
  if (s == "submission") return Mode::kSubmission;
  if (s == "submissions") return Mode::kSubmissions;
  return user_error("unknown mode \"" + s + "\" (smtp, submission, submissions)");
}

int run_server(const ServerOptions& o) {
  daemon::ServerSpec spec{"mox-smtpd", /*client_auth=*/o.mode != Mode::kSmtp, kFdsPerConnection};
  return daemon::run_server<Shared>(
      spec, o, [&o](Shared& sh) { return setup(o, sh); }, serve);
}

}  // namespace mox::smtpserver
