// mox-imapd: one IMAP server process (STARTTLS on 143, implicit TLS with
// --tls on 993), under inetd, systemd socket activation or --listen.
#include "cli/cli.h"
#include "cli/server.h"
#include "common/testenv.h"
#include "imapserver/server.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::imapserver::ServerOptions o;
  CLI::App app{
      "IMAP server of mox-cpp. Without --listen and without systemd's LISTEN_FDS it serves\n"
      "one connection on file descriptor 0 (inetd, systemd Accept=yes).",
      "mox-imapd"};
  mox::add_common_options(app, o.config_path);
  app.add_flag("--tls", o.implicit_tls, "Implicit TLS (IMAPS, port 993) instead of STARTTLS");
  mox::add_server_options(app, o);
  if (int rc = mox::parse_server_args(app, argc, argv, o); rc >= 0) return rc;
  moxcmd::server_test_hooks(o);
  if (auto t = moxcmd::imap_autologout()) o.auth_timeout = *t;
  return mox::imapserver::run_server(o);
}
