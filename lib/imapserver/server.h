// mox-imapd's server: its settings and per-process state over the skeleton of
// daemon/server.h (config, TLS, sockets, privilege drop), and one Session per
// connection; IDLE waits on the socket and the account's change notification.
#pragma once

#include <chrono>

#include "daemon/server.h"

namespace mox::imapserver {

// RFC 9051 §5.4: the autologout timer after login, at least 30 minutes.
inline constexpr std::chrono::milliseconds kAuthTimeout = std::chrono::minutes(30);

struct ServerOptions : daemon::ServerOptions {
  bool implicit_tls = false;  // IMAPS (993)
  // How long a logged-in session may be silent, also in IDLE and NOTIFY.
  std::chrono::milliseconds auth_timeout = kAuthTimeout;
};

// Descriptors one connection holds at most: its socket, the account's
// index.db with -wal and -shm, auth.db with -wal and -shm (login), the
// change notification, and a message file being read.
inline constexpr int kFdsPerConnection = 9;

int run_server(const ServerOptions& opts);

}  // namespace mox::imapserver
