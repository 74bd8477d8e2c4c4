// mox-imapd: one IMAP server process (STARTTLS on 143, implicit TLS with
// --tls on 993), under inetd, systemd socket activation or --listen.
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "config/config.h"
#include "imapserver/server.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  std::string config;
  mox::imapserver::ServerOptions o;
  CLI::App app{
      "IMAP server of mox-cpp. Without --listen and without systemd's LISTEN_FDS it serves\n"
      "one connection on file descriptor 0 (inetd, systemd Accept=yes).",
      "mox-imapd"};
  mox::add_common_options(app, config);
  app.add_flag("--tls", o.implicit_tls, "Implicit TLS (IMAPS, port 993) instead of STARTTLS");
  app.add_option("--listener", o.listener, "Listener in mox.conf whose settings apply")
      ->default_val("public");
  app.add_option("--listen", o.listen, "ADDR:PORT to listen on (development); repeatable");
  app.add_option("--max-connections", o.max_conns, "Connections served at once (listening modes)")
      ->default_val(256);
  if (int rc = mox::parse_args(app, argc, argv); rc >= 0) return rc;
  o.config_path = mox::config::default_config_path(config);
  moxcmd::server_test_hooks(o);
  return mox::imapserver::run_server(o);
}
