// The command line of the server programs, mox-smtpd and mox-imapd
// (mox-smtpd(8), mox-imapd(8)): --listener, --listen and --max-connections
// into daemon::ServerOptions, and --config resolved as every program does
// (cli.h).
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/server.h"

namespace mox {

// Adds --listener, --listen and --max-connections, filling `o`.
void add_server_options(CLI::App& app, daemon::ServerOptions& o);

// parse_args, then o.config_path from --config (config::default_config_path):
// -1 to continue, or the exit code.
int parse_server_args(CLI::App& app, int argc, char** argv, daemon::ServerOptions& o);

}  // namespace mox
