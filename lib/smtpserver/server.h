// mox-smtpd's shared server skeleton: config, sockets from inetd, systemd
// (LISTEN_FDS) or --listen, TLS, privilege drop, and one Session per
// connection (thread per connection in Accept=no mode).
#pragma once

#include <string>
#include <vector>

#include "smtpserver/session.h"

namespace mox::smtpserver {

struct ServerOptions {
  std::string config_path;
  std::string listener = "public";
  Mode mode = Mode::kSmtp;
  std::vector<std::string> listen;  // --listen ADDR:PORT (development)
  int max_conns = 256;
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
