// mox-smtpd: one SMTP server process: MX (smtp), submission (STARTTLS) or
// submissions (implicit TLS), under inetd, systemd socket activation or --listen.
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/testenv.h"
#include "config/config.h"
#include "smtpserver/server.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  std::string config, mode = "smtp";
  mox::smtpserver::ServerOptions o;
  CLI::App app{
      "SMTP server of mox-cpp. Without --listen and without systemd's LISTEN_FDS it serves\n"
      "one connection on file descriptor 0 (inetd, systemd Accept=yes).",
      "mox-smtpd"};
  mox::add_common_options(app, config);
  app.add_option("--mode", mode, "smtp (MX, port 25), submission (587, STARTTLS) or submissions (465)")
      ->check(CLI::IsMember({"smtp", "submission", "submissions"}));
  app.add_option("--listener", o.listener, "Listener in mox.conf whose settings apply")
      ->default_val("public");
  app.add_option("--listen", o.listen, "ADDR:PORT to listen on (development); repeatable");
  app.add_option("--max-connections", o.max_conns, "Connections served at once (listening modes)")
      ->default_val(256);
  if (int rc = mox::parse_args(app, argc, argv); rc >= 0) return rc;
  o.config_path = mox::config::default_config_path(config);
  moxcmd::server_test_hooks(o);
  o.mode = *mox::smtpserver::parse_mode(mode);
  return mox::smtpserver::run_server(o);
}
