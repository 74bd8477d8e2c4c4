#include "imapserver/preauth.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "config/cache.h"
#include "imapserver/backend.h"
#include "imapserver/loop.h"
#include "log/log.h"
#include "net/activation.h"
#include "net/connlog.h"
#include "store/notify.h"

namespace mox::imapserver {
namespace {

// LoginAttempt::auth_mech of a preauthenticated session (docs/DESIGN.md
// "Login attempts").
constexpr std::string_view kMechPreauth = "preauth";

// The session's settings: no TLS, and nothing to log in with.
Settings preauth_settings(const config::Config& cfg, const ServerOptions& o) {
  const config::Static& st = cfg.static_config();
  Settings s;
  s.hostname = st.hostname;
  s.max_append = config::kDefaultMaxMessageSize;
  if (auto it = st.listeners.find(o.listener); it != st.listeners.end()) {
    const config::Listener& l = it->second;
    if (!l.hostname.empty()) s.hostname = l.hostname;
    // One message size limit for SMTP and IMAP APPEND (APPENDLIMIT, RFC 7889).
    if (l.smtp_max_message_size) s.max_append = l.smtp_max_message_size;
  }
  s.tls_configured = false;
  s.auth_delay_unit = o.auth_delay_unit;
  return s;
}

// Whether `account` may be used now, from the config alone.
Status account_usable(const config::Config& cfg, const std::string& account) {
  const config::Account* a = cfg.account(account);
  if (!a) {
    std::string hint =
        account.find('@') != std::string::npos ? " (give the account's name, not an address)" : "";
    return not_found("unknown account \"" + account + "\"" + hint);
  }
  if (!a->login_disabled.empty())
    return user_error("login disabled for account \"" + account + "\": " + a->login_disabled);
  return {};
}

// Standard input and output as the session's connection. net::Conn makes
// its descriptors non-blocking, a flag of the open file that the invoking
// shell or terminal shares; so the Conn gets duplicates, and the flags are
// put back when the session ends.
class Stdio {
 public:
  static Result<Stdio> open() {
    Stdio s;
    for (int fd : {0, 1}) {
      s.flags_[fd] = ::fcntl(fd, F_GETFL);
      if (s.flags_[fd] < 0) return user_error("standard input or output is not open");
    }
    return s;
  }
  Stdio(Stdio&& o) noexcept : flags_{o.flags_[0], o.flags_[1]} { o.flags_[0] = o.flags_[1] = -1; }
  Stdio(const Stdio&) = delete;
  Stdio& operator=(const Stdio&) = delete;
  Stdio& operator=(Stdio&&) = delete;
  ~Stdio() {
    for (int fd : {0, 1}) {
      if (flags_[fd] >= 0) (void)::fcntl(fd, F_SETFL, flags_[fd]);
    }
  }
  Result<net::Conn> conn() const {
    UniqueFd in(::fcntl(0, F_DUPFD_CLOEXEC, 3)), out(::fcntl(1, F_DUPFD_CLOEXEC, 3));
    if (!in.valid() || !out.valid())
      return internal_error(std::string("dup of standard input or output: ") +
                            std::strerror(errno));
    return net::Conn(std::move(in), std::move(out));
  }

 private:
  Stdio() = default;
  int flags_[2] = {-1, -1};
};

}  // namespace

Status run_preauth(const ServerOptions& o, const std::string& account) {
  // Standard error is the user's terminal (ssh, mbsync): errors only, unless
  // --log-level asks for more.
  MOX_TRY(log::set_level_from_config("error"));
  net::ignore_sigpipe();
  MOX_ASSIGN(std::shared_ptr<const config::Config> cfg, config::Config::load(o.config_path));
  MOX_TRY(account_usable(*cfg, account));
  // As root: the servers' User before the account is touched (mox-imapd(8)
  // "PREAUTH"); as anyone else, the data directory's permissions decide.
  if (::geteuid() == 0) MOX_TRY(net::drop_privileges(cfg->static_config().user));
  auto cache = std::make_unique<config::ConfigCache>(o.config_path, cfg);
  StoreBackend backend(cfg, "", "", cache.get(),
                       o.max_failed_login_attempts.value_or(auth::kMaxFailedLoginAttempts));
  if (std::string why = backend.account_gone(account); !why.empty()) return user_error(why);
  Result<std::unique_ptr<Mailstore>> store = backend.open_account(account);
  if (!store) {
    return Error{store.error().kind,
                 "cannot open account \"" + account +
                     "\" (run as the owner of its data or as root): " + store.error().message};
  }
  store::ChangeNotifier::Options no;
  no.log = [](const std::string& msg) { log::error(msg); };
  store::ChangeNotifier notifier(std::move(no));
  MOX_ASSIGN(Stdio stdio, Stdio::open());
  MOX_ASSIGN(net::Conn conn, stdio.conn());
  net::ConnLog clog(conn, "imap-preauth");
  Session session(preauth_settings(*cfg, o), backend);
  LoopEnv env{notifier, o.auth_timeout, nullptr};
  run_session(conn, env, backend, session,
              session.preauth(account, account, std::move(*store), kMechPreauth));
  clog.set_account(session.account());
  conn.shutdown();
  return {};
}

}  // namespace mox::imapserver
