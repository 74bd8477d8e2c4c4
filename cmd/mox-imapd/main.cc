// mox-imapd: one IMAP server process (STARTTLS on 143, implicit TLS with
// --tls on 993), under inetd, systemd socket activation or --listen; or,
// with --preauth ACCOUNT, one session on standard input and output that is
// already logged in (mox-imapd(8) "PREAUTH").
#include "cli/cli.h"
#include "cli/server.h"
#include "common/testenv.h"
#include "imapserver/preauth.h"
#include "imapserver/server.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::imapserver::ServerOptions o;
  std::string preauth;
  CLI::App app{
      "IMAP server of mox-cpp. Without --listen and without systemd's LISTEN_FDS it serves\n"
      "one connection on file descriptor 0 (inetd, systemd Accept=yes).\n"
      "With --preauth ACCOUNT it serves one session on standard input and output, already\n"
      "logged in as ACCOUNT, for ssh tunnels (mbsync Tunnel, offlineimap preauthtunnel,\n"
      "imapsync); run it as root or as the owner of the account's data.",
      "mox-imapd"};
  mox::add_common_options(app, o.config_path);
  auto* tls =
      app.add_flag("--tls", o.implicit_tls, "Implicit TLS (IMAPS, port 993) instead of STARTTLS");
  mox::add_server_options(app, o);
  app.add_option("--preauth", preauth,
                 "IMAP on stdin/stdout, logged in as ACCOUNT (PREAUTH greeting, no TLS)")
      ->type_name("ACCOUNT")
      ->excludes(tls)
      ->excludes(app.get_option("--listen"));
  if (int rc = mox::parse_server_args(app, argc, argv, o); rc >= 0) return rc;
  moxcmd::server_test_hooks(o);
  if (auto t = moxcmd::imap_autologout()) o.auth_timeout = *t;
  if (!preauth.empty()) {
    mox::Status st = mox::imapserver::run_preauth(o, preauth);
    return st ? 0 : mox::fail("mox-imapd", st.error());
  }
  return mox::imapserver::run_server(o);
}
