// The connection side of every server program (STYLE.md habit 6): sockets from
// systemd (LISTEN_FDS, listening or an Accept=yes connection), --listen
// addresses, or inetd's fd 0; the privilege drop once they are open; then one
// handler call per connection (a thread each when listening).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "net/conn.h"
#include "util/result.h"

namespace mox::net {

struct ServeOptions {
  std::vector<std::string> listen;  // ADDR:PORT
  std::string user;                 // drop to this user when root
  int max_conns = 256;
};

// Runs until the single connection ends (inetd, Accept=yes) or SIGTERM.
Status serve_connections(const ServeOptions& o, const std::function<void(Conn)>& handle);
// serve_connections for a program's main: errors go to stderr as "prog: …";
// returns the exit code.
int serve_main(const char* prog, const ServeOptions& o, const std::function<void(Conn)>& handle);

}  // namespace mox::net
