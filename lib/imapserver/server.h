// mox-imapd's server: its settings and per-process state over the skeleton of
// daemon/server.h (config, TLS, sockets, privilege drop), and one Session per
// connection; IDLE waits on the socket and the account's change notification.
#pragma once

#include "daemon/server.h"

namespace mox::imapserver {

struct ServerOptions : daemon::ServerOptions {
  bool implicit_tls = false;  // IMAPS (993)
};

// Descriptors one connection holds at most: its socket, the account's
// index.db with -wal and -shm, auth.db with -wal and -shm (login), the
// change notification, and a message file being read.
inline constexpr int kFdsPerConnection = 9;

int run_server(const ServerOptions& opts);

}  // namespace mox::imapserver
