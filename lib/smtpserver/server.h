// mox-smtpd's server: its settings and per-process state over the skeleton of
// daemon/server.h (config, TLS, sockets from inetd, systemd or --listen,
// privilege drop), and one Session per connection (thread per connection in
// Accept=no mode).
#pragma once

#include <string>

#include "daemon/server.h"
#include "smtpserver/session.h"

namespace mox::smtpserver {

struct ServerOptions : daemon::ServerOptions {
  Mode mode = Mode::kSmtp;
};

// Descriptors one connection holds at most: its socket, auth.db with its
// -wal and -shm files (submission), and the message being received; the
// accounts' databases are shared by the process's connections.
inline constexpr int kFdsPerConnection = 6;

// Runs until the connection ends (inetd) or until SIGTERM (listeners).
// Returns the process exit code; errors are printed to stderr.
int run_server(const ServerOptions& opts);

Result<Mode> parse_mode(const std::string& s);

}  // namespace mox::smtpserver
