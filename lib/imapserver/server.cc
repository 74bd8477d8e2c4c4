#include "imapserver/server.h"

#include <memory>

#include "auth/connlimit.h"
#include "config/cache.h"
#include "daemon/listener.h"
#include "imapserver/backend.h"
#include "imapserver/loop.h"
#include "log/log.h"
#include "net/connlog.h"
#include "store/notify.h"

namespace mox::imapserver {
namespace {

// The process's config, listener and TLS context (daemon/listener.h), and
// what its connections share.
struct Shared : daemon::ServerBase {
  explicit Shared(daemon::ServerBase b) : daemon::ServerBase(std::move(b)) {}
  Settings settings;
  // One for the process: every session's IDLE shares its inotify instance.
  std::unique_ptr<store::ChangeNotifier> notifier;
  std::unique_ptr<auth::ConnLimiter> limiter;
  int64_t max_failed_login_attempts = auth::kMaxFailedLoginAttempts;
  std::chrono::milliseconds auth_timeout{kAuthTimeout};
};

void serve(net::Conn conn, const Shared& sh) {
  // Per-IP connection limits (auth/connlimit.h); RFC 9051 §7.1.5: a BYE
  // greeting refuses the connection.
  auto slot = sh.limiter->admit(conn, sh.settings.implicit_tls ? sh.tls.get() : nullptr,
                                "* BYE too many connections from your address\r\n");
  if (!slot) return;
  auto cfg = sh.cache->get();
  StoreBackend backend(cfg, conn.remote_ip(), conn.local_ip(), sh.cache.get(),
                       sh.max_failed_login_attempts);
  backend.watch_client(conn.read_fd());
  net::ConnLog clog(conn, sh.settings.implicit_tls ? "imaps" : "imap");
  Session session(sh.settings, backend);
  if (sh.settings.implicit_tls && !start_tls(conn, sh.tls.get(), backend, session)) return;
  LoopEnv env{*sh.notifier, sh.auth_timeout, sh.tls.get()};
  run_session(conn, env, backend, session, session.greeting());
  clog.set_account(session.account());
  conn.shutdown();
}

// The process's state from the listener; the busy reply.
Result<std::string> setup(const ServerOptions& o, Shared& sh) {
  const config::Listener& l = *sh.listener;
  Settings& s = sh.settings;
  s.hostname = sh.hostname;
  s.login_requires_tls = !l.imap.no_require_starttls;
  s.implicit_tls = o.implicit_tls;
  // One message size limit for SMTP and IMAP APPEND (APPENDLIMIT, RFC 7889).
  s.max_append = sh.max_message_size;
  s.auth_delay_unit = o.auth_delay_unit;
  sh.max_failed_login_attempts =
      o.max_failed_login_attempts.value_or(auth::kMaxFailedLoginAttempts);
  sh.auth_timeout = o.auth_timeout;
  store::ChangeNotifier::Options no;
  no.log = [](const std::string& msg) { log::error(msg); };
  sh.notifier = std::make_unique<store::ChangeNotifier>(std::move(no));
  sh.limiter = std::make_unique<auth::ConnLimiter>(
      sh.cfg->data_dir(), "imap", auth::conn_limits(sh.cfg->static_config().connection_limits),
      "mox-imapd");
  if (sh.tls) {
    s.tls_configured = !o.implicit_tls;
  } else if (o.implicit_tls) {
    return user_error("listener \"" + o.listener + "\" has no TLS for IMAPS");
  }
  return std::string("* BYE too busy, try again later\r\n");  // RFC 9051 §7.1.5
}

}  // namespace

int run_server(const ServerOptions& o) {
  daemon::ServerSpec spec{"mox-imapd", /*client_auth=*/true, kFdsPerConnection};
  return daemon::run_server<Shared>(
      spec, o, [&o](Shared& sh) { return setup(o, sh); }, serve);
}

}  // namespace mox::imapserver
