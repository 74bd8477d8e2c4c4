// The connection side of every server program (docs/DESIGN.md "Process model"):
// sockets from systemd (LISTEN_FDS, listening or an Accept=yes connection),
// --listen addresses, or inetd's fd 0; the privilege drop once they are open;
// then one handler call per connection (a thread each when listening, with
// net/accept_loop.h). daemon/server.h runs it for a server program.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "net/conn.h"
#include "util/result.h"

namespace mox::daemon {

struct ServeOptions {
  std::vector<std::string> listen;  // ADDR:PORT
  std::string user;                 // drop to this user when root
  int max_conns = 256;
  // What an unservable connection is told (AcceptLoopOptions::busy_reply).
  std::string busy_reply;
  // Descriptors one connection may hold at once (socket, databases with
  // their -wal and -shm files, message files, inotify): the soft
  // RLIMIT_NOFILE is raised to the hard limit, and a warning is logged
  // when max_conns connections would not fit.
  int fds_per_conn = 8;
  std::string prog = "mox";  // for log lines
};

// Runs until the single connection ends (inetd, Accept=yes) or SIGTERM.
Status serve_connections(const ServeOptions& o, const std::function<void(net::Conn)>& handle);
// Raises the soft descriptor limit to the hard one; returns the new soft
// limit.
long raise_nofile_limit();

}  // namespace mox::daemon
