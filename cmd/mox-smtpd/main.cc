// mox-smtpd: one SMTP server process: MX (smtp), submission (STARTTLS) or
// submissions (implicit TLS), under inetd, systemd socket activation or --listen.
#include <string>

#include "cli/cli.h"
#include "cli/server.h"
#include "common/testenv.h"
#include "smtpserver/server.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  std::string mode = "smtp";
  mox::smtpserver::ServerOptions o;
  CLI::App app{
      "SMTP server of mox-cpp. Without --listen and without systemd's LISTEN_FDS it serves\n"
      "one connection on file descriptor 0 (inetd, systemd Accept=yes).",
      "mox-smtpd"};
  mox::add_common_options(app, o.config_path);
  app.add_option("--mode", mode,
                 "smtp (MX, port 25), submission (587, STARTTLS) or submissions (465)")
      ->check(CLI::IsMember({"smtp", "submission", "submissions"}));
  mox::add_server_options(app, o);
  if (int rc = mox::parse_server_args(app, argc, argv, o); rc >= 0) return rc;
  moxcmd::server_test_hooks(o);
  o.mode = *mox::smtpserver::parse_mode(mode);
  return mox::smtpserver::run_server(o);
}
