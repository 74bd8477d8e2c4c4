#include "imapserver/preauth.h"

#include <unistd.h>

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
  net::Conn conn(UniqueFd(0), UniqueFd(1));
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
