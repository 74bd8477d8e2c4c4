#include "cli/server.h"

#include "cli/cli.h"
#include "config/config.h"

namespace mox {

void add_server_options(CLI::App& app, daemon::ServerOptions& o) {
  app.add_option("--listener", o.listener, "Listener in mox.conf whose settings apply")
      ->default_val("public");
  app.add_option("--listen", o.listen, "ADDR:PORT to listen on (development); repeatable");
  app.add_option("--max-connections", o.max_conns, "Connections served at once (listening modes)")
      ->default_val(256);
}

int parse_server_args(CLI::App& app, int argc, char** argv, daemon::ServerOptions& o) {
  if (int rc = parse_args(app, argc, argv); rc >= 0) return rc;
  o.config_path = config::default_config_path(o.config_path);
  return -1;
}

}  // namespace mox
