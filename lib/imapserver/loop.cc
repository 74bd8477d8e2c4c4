#include "imapserver/loop.h"

#include <poll.h>

#include <optional>
#include <string>
#include <thread>

#include "log/log.h"

namespace mox::imapserver {
namespace {

using namespace std::chrono_literals;
constexpr auto kBeforeLoginTimeout = 1min;
constexpr auto kWriteTimeout = 2min;
constexpr auto kHandshakeTimeout = 1min;  // mox-imapd(8) "TLS client certificates"
// IDLE without a ChangeWatcher (the process is out of descriptors): how
// often the account is looked at.
constexpr auto kIdlePollInterval = 500ms;

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

// COMPRESS=DEFLATE (RFC 4978) after its OK: the transform is the
// connection's (net/deflate.h), inside TLS when TLS is active.
bool start_compress(net::Conn& conn) {
  Status st = conn.start_compress();
  if (!st) log_error(conn.remote_ip(), "compress: " + st.error().message);
  return st.ok();
}

}  // namespace

bool start_tls(net::Conn& conn, SSL_CTX* ctx, StoreBackend& backend, Session& session) {
  Result<TLSState> t = backend.start_tls(conn, ctx, kHandshakeTimeout);
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

void run_session(net::Conn& conn, const LoopEnv& env, StoreBackend& backend, Session& session,
                 Output first) {
  Output out = std::move(first);
  AccountWatch watch(env.notifier, conn.remote_ip());
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
      if (!env.tls || !start_tls(conn, env.tls, backend, session)) break;
      out = Output();
      continue;
    }
    store::ChangeWatcher* watcher = watch.get(session);
    if (out.idle || session.notifying()) {
      // IDLE (RFC 2177), or NOTIFY (RFC 5465) between commands: woken by the
      // client or by a change of the account.
      Woken w = wait_idle(conn, watcher, last_input + env.auth_timeout);
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
                            session.watch_dir().empty() ? kBeforeLoginTimeout : env.auth_timeout);
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
}

}  // namespace mox::imapserver
