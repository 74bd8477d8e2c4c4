// mox-imapd's server: config, TLS, sockets (net/serve.h), and one Session per
// connection; IDLE waits on the socket and the account's change notification.
#pragma once

#include <string>
#include <vector>

namespace mox::imapserver {

struct ServerOptions {
  std::string config_path;
  std::string listener = "public";
  bool implicit_tls = false;  // IMAPS (993)
  std::vector<std::string> listen;
  int max_conns = 256;
};

// Descriptors one connection holds at most: its socket, the account's
// index.db with -wal and -shm, auth.db with -wal and -shm (login), the
// change notification, and a message file being read.
inline constexpr int kFdsPerConnection = 9;

int run_server(const ServerOptions& opts);

}  // namespace mox::imapserver
