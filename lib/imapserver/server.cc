#include "imapserver/server.h"

#include <poll.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "auth/connlimit.h"
#include "config/cache.h"
#include "daemon/listener.h"
#include "imapserver/backend.h"
#include "log/log.h"
#include "net/activation.h"
#include "net/connlog.h"
#include "store/notify.h"
#include "util/fs.h"

namespace mox::imapserver {
namespace {

using namespace std::chrono_literals;
constexpr auto kPreauthTimeout = 1min;  // before login
constexpr auto kWriteTimeout = 2min;
constexpr auto kHandshakeTimeout = 1min;  // mox-imapd(8) "TLS client certificates"
// IDLE without a ChangeWatcher (the process is out of descriptors): how
// often the account is looked at.
constexpr auto kIdlePollInterval = 500ms;

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

void log_error(const std::string& remote, const std::string& msg) {
  if (remote.empty()) return log::error(msg);
  log::error(msg, {{"remote", remote}});
}

enum class Woken { kInput, kChange, kTimeout };

// Waits for input on the connection or a change of the account (IDLE,
// NOTIFY), until `deadline`: the autologout timer (RFC 9051 §5.4), which
// runs from the client's last input.
Woken wait_idle(net::Conn& conn, store::ChangeWatcher* w,
                std::chrono::steady_clock::time_point deadline) {
  if (conn.has_buffered_input()) return Woken::kInput;
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return Woken::kTimeout;
  if (!w) left = std::min<std::chrono::milliseconds>(left, kIdlePollInterval);
  pollfd p[2] = {{conn.read_fd(), POLLIN, 0}, {w ? w->fd() : -1, POLLIN, 0}};
  int n = ::poll(p, w ? 2 : 1, static_cast<int>(left.count()));
  if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) return Woken::kInput;
  if (n == 0 && std::chrono::steady_clock::now() >= deadline) return Woken::kTimeout;
  return Woken::kChange;
}

// A session's ChangeWatcher, made once the session is logged in. A failure
// (e.g. the process is out of descriptors) is logged once per session and
// tried again before the next wait; IDLE polls meanwhile.
class AccountWatch {
 public:
  AccountWatch(store::ChangeNotifier& n, std::string remote)
      : notifier_(n), remote_(std::move(remote)) {}
  store::ChangeWatcher* get(const Session& session) {
    if (!watcher_ && !session.watch_dir().empty()) {
      auto w = notifier_.watch(session.watch_dir());
      if (w) {
        watcher_.emplace(std::move(*w));
      } else if (!logged_) {
        log_error(remote_,
                  "watching the account for changes, polling instead: " + w.error().message);
        logged_ = true;
      }
    }
    return watcher_ ? &*watcher_ : nullptr;
  }
  // Forgets the changes seen so far: the session is about to read the account.
  void drain() {
    if (watcher_) (void)watcher_->drain();
  }

 private:
  store::ChangeNotifier& notifier_;
  std::string remote_;
  std::optional<store::ChangeWatcher> watcher_;
  bool logged_ = false;
};

// The TLS handshake, with the client-certificate login (mox-imapd(8) "TLS
// client certificates"). False: the connection ends (handshake failed, or a
// resumed session's key was removed since, which the client is told in an
// ALERT).
bool start_tls(net::Conn& conn, const Shared& sh, StoreBackend& backend, Session& session) {
  Result<TLSState> t = backend.start_tls(conn, sh.tls.get(), kHandshakeTimeout);
  if (!t) {
    log_error(conn.remote_ip(), t.error().message);
    return false;
  }
  if (!t->cert_error.empty()) {
    (void)conn.write_all(
        "* BYE [ALERT] Error verifying client certificate after TLS session "
        "resumption: " +
            t->cert_error + "\r\n",
        kWriteTimeout);
    conn.shutdown();
    return false;
  }
  session.tls_started(*t);
  return true;
}

// COMPRESS=DEFLATE (RFC 4978) after its OK: the transform is the
// connection's (net/deflate.h), inside TLS when TLS is active.
bool start_compress(net::Conn& conn) {
  Status st = conn.start_compress();
  if (!st) log_error(conn.remote_ip(), "compress: " + st.error().message);
  return st.ok();
}

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
  if (sh.settings.implicit_tls && !start_tls(conn, sh, backend, session)) return;
  Output out = session.greeting();
  AccountWatch watch(*sh.notifier, conn.remote_ip());
  std::string buf(64 * 1024, '\0');
  auto last_input = std::chrono::steady_clock::now();
  while (true) {
    if (out.delay.count() > 0) std::this_thread::sleep_for(out.delay);
    if (!out.reply.empty() && !conn.write_all(out.reply, kWriteTimeout)) break;
    if (out.close) break;
    if (out.compress && !start_compress(conn)) break;
    if (out.more) {  // a long reply goes out in parts: memory stays bounded
      out = session.resume();
      continue;
    }
    if (out.start_tls) {
      if (!start_tls(conn, sh, backend, session)) break;
      out = Output();
      continue;
    }
    store::ChangeWatcher* watcher = watch.get(session);
    if (out.idle || session.notifying()) {
      // IDLE (RFC 2177), or NOTIFY (RFC 5465) between commands: woken by the
      // client or by a change of the account.
      Woken w = wait_idle(conn, watcher, last_input + sh.auth_timeout);
      if (w == Woken::kTimeout) {
        (void)conn.write_all("* BYE autologout, idle too long\r\n", 10s);
        break;
      }
      if (w == Woken::kChange) {
        watch.drain();
        out = session.poll_updates();
        continue;
      }
    }
    auto n = conn.read_some(buf.data(), buf.size(),
                            session.watch_dir().empty() ? kPreauthTimeout : sh.auth_timeout);
    if (!n) {
      if (n.error().kind == ErrorKind::kTimeout)
        (void)conn.write_all("* BYE autologout, idle too long\r\n", 10s);
      break;
    }
    if (*n == 0) break;
    last_input = std::chrono::steady_clock::now();
    watch.drain();
    out = session.feed(std::string_view(buf.data(), *n));
  }
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
  no.log = [](const std::string& msg) { log_error("", msg); };
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
