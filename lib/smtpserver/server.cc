#include "smtpserver/server.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <optional>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "net/accept_loop.h"
#include "net/activation.h"
#include "net/conn.h"
#include "smtpserver/delivery.h"
#include "tls/server.h"
#include "util/fs.h"

namespace mox::smtpserver {
namespace {

using namespace std::chrono_literals;
// RFC 5321 §4.5.3.2: at least 5 minutes for commands and data blocks.
constexpr auto kIdleTimeout = 5min;
constexpr auto kWriteTimeout = 2min;
constexpr auto kHandshakeTimeout = 1min;

// The config snapshot, re-read when domains.conf changes (SPEC A.3), so a
// long-running Accept=no server sees mox-config's changes.
class ConfigCache {
 public:
  ConfigCache(std::string path, std::shared_ptr<const config::Config> c)
      : path_(std::move(path)), cfg_(std::move(c)), mtime_(mtime()) {}
  std::shared_ptr<const config::Config> get() {
    std::lock_guard lock(mu_);
    int64_t m = mtime();
    if (m != mtime_) {
      auto c = config::Config::load(path_);
      if (c) {
        cfg_ = *c;
        mtime_ = m;
      } else {
        std::cerr << "mox-smtpd: reloading config: " << c.error().message << " (keeping the old)\n";
      }
    }
    return cfg_;
  }

 private:
  int64_t mtime() const {
    struct stat st;
    if (::stat(cfg_->dynamic_path().c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }
  std::mutex mu_;
  std::string path_;
  std::shared_ptr<const config::Config> cfg_;
  int64_t mtime_;
};

struct Shared {
  std::shared_ptr<const config::Config> cfg;
  std::unique_ptr<ConfigCache> cache;
  Settings settings;
  tls::SslCtxPtr tls;
};

TLSState tls_state(net::Conn& c) {
  TLSState t;
  t.active = c.tls();
  t.description = c.tls_description();
  if (auto cb = c.tls_exporter_channel_binding()) t.channel_binding = *cb;
  return t;
}

void log_error(const std::string& remote, const std::string& msg) {
  std::cerr << "mox-smtpd: " << (remote.empty() ? "" : remote + ": ") << msg << "\n";
}

void serve(net::Conn conn, const Shared& sh) {
  ConnInfo ci{conn.remote_ip(), conn.local_ip(), sh.settings.mode != Mode::kSmtp,
              sh.settings.hostname};
  StoreBackend backend(sh.cache->get(), ci);
  Session session(sh.settings, backend);
  if (sh.settings.mode == Mode::kSubmissions) {
    if (auto st = conn.start_tls_server(sh.tls.get(), kHandshakeTimeout); !st) {
      log_error(ci.remote_ip, st.error().message);
      return;
    }
    TLSState t = tls_state(conn);
    backend.set_tls_description(t.description);
    session.tls_started(t);
  }
  Output out = session.greeting();
  std::string buf(64 * 1024, '\0');
  while (true) {
    if (out.delay.count() > 0) std::this_thread::sleep_for(out.delay);
    if (!out.reply.empty() && !conn.write_all(out.reply, kWriteTimeout)) break;
    if (out.close) break;
    if (out.start_tls) {
      if (auto st = conn.start_tls_server(sh.tls.get(), kHandshakeTimeout); !st) {
        log_error(ci.remote_ip, st.error().message);
        break;
      }
      TLSState t = tls_state(conn);
      backend.set_tls_description(t.description);
      session.tls_started(t);
      out = Output();
      continue;
    }
    auto n = conn.read_some(buf.data(), buf.size(), kIdleTimeout);
    if (!n) {
      if (n.error().message == "timeout") {
        (void)conn.write_all("421 4.4.2 " + sh.settings.hostname + " timeout, closing\r\n", 10s);
      }
      break;
    }
    if (*n == 0) break;
    out = session.feed(std::string_view(buf.data(), *n));
  }
  session.end();
  conn.shutdown();
}

void give_to_user(const std::string& path, const std::string& user) {
  if (::geteuid() != 0) return;
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw && pw->pw_uid != 0) (void)::chown(path.c_str(), pw->pw_uid, pw->pw_gid);
}

// systemd with Accept=yes may also pass the connection in LISTEN_FDS (named
// "connection"): a socket that is not listening is served as one session.
bool is_listening(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

Result<Shared> setup(const ServerOptions& o) {
  Shared sh;
  MOX_ASSIGN(sh.cfg, config::Config::load(o.config_path));
  sh.cache = std::make_unique<ConfigCache>(o.config_path, sh.cfg);
  const auto& st = sh.cfg->static_config();
  auto it = st.listeners.find(o.listener);
  if (it == st.listeners.end()) return user_error("listener \"" + o.listener + "\" not in mox.conf");
  const config::Listener& l = it->second;
  Settings& s = sh.settings;
  s.mode = o.mode;
  s.hostname = l.hostname.empty() ? st.hostname : l.hostname;
  s.max_message_size = l.smtp_max_message_size ? l.smtp_max_message_size : config::kDefaultMaxMessageSize;
  if (const char* d = std::getenv("MOX_TEST_AUTH_DELAY_MS")) {
    s.auth_delay_unit = std::chrono::milliseconds(std::atoi(d));
  }
  if (l.tls && !l.tls->key_certs.empty()) {
    tls::ServerTLSOptions to;
    to.ticket_key_file = tls::default_ticket_key_file(*sh.cfg);
    MOX_TRY(mkdir_all(sh.cfg->data_dir(), 0770));
    MOX_ASSIGN(sh.tls, tls::make_server_ctx(*sh.cfg, *l.tls, to));
    // Made as root before the privilege drop: the unprivileged processes
    // that rotate the keys later must own the files.
    give_to_user(to.ticket_key_file, st.user);
    give_to_user(to.ticket_key_file + ".lock", st.user);
    s.tls_configured = true;
  }
  switch (o.mode) {
    case Mode::kSmtp:
      if (l.smtp.no_starttls) s.tls_configured = false;
      s.require_starttls = l.smtp.require_starttls;
      break;
    case Mode::kSubmission:
      s.auth_requires_tls = !l.submission.no_require_starttls;
      break;
    case Mode::kSubmissions:
      if (!sh.tls) return user_error("listener \"" + o.listener + "\" has no TLS for submissions");
      s.tls_configured = false;  // already TLS; no STARTTLS
      break;
  }
  return sh;
}

}  // namespace

Result<Mode> parse_mode(const std::string& s) {
  if (s == "smtp") return Mode::kSmtp;
  if (s == "submission") return Mode::kSubmission;
  if (s == "submissions") return Mode::kSubmissions;
  return user_error("unknown mode \"" + s + "\" (smtp, submission, submissions)");
}

int run_server(const ServerOptions& o) {
  net::ignore_sigpipe();
  auto sh = setup(o);
  if (!sh) {
    log_error("", sh.error().message);
    return 1;
  }
  std::vector<int> fds;
  std::vector<net::UniqueFd> owned;
  auto sd = net::systemd_listen_fds();
  if (!sd) {
    log_error("", sd.error().message);
    return 1;
  }
  std::optional<int> accepted;
  for (const auto& f : *sd) {
    if (is_listening(f.fd)) {
      fds.push_back(f.fd);
    } else {
      accepted = f.fd;
    }
  }
  for (const auto& addr : o.listen) {
    auto fd = net::listen_tcp(addr);
    if (!fd) {
      log_error("", fd.error().message);
      return 1;
    }
    fds.push_back(fd->get());
    owned.push_back(std::move(*fd));
  }
  // Sockets and keys are open: from here on no root is needed.
  if (auto st = net::drop_privileges(sh->cfg->static_config().user); !st) {
    log_error("", st.error().message);
    return 1;
  }
  if (accepted) {
    serve(net::Conn(net::UniqueFd(*accepted)), *sh);
    return 0;
  }
  if (fds.empty()) {
    serve(net::Conn::inetd(), *sh);  // inetd / systemd Accept=yes: fd 0
    return 0;
  }
  auto st = net::serve_accept_loop(
      fds, [&](net::UniqueFd fd, int) { serve(net::Conn(std::move(fd)), *sh); }, o.max_conns);
  if (!st) {
    log_error("", st.error().message);
    return 1;
  }
  return 0;
}

}  // namespace mox::smtpserver
