// The skeleton of the server programs, mox-smtpd and mox-imapd
// (docs/DESIGN.md "Process model"): the config and the listener's TLS context
// (listener.h), the protocol's per-process state, the sockets and the
// privilege drop (serve.h), then the protocol's handler once per connection.
// A protocol's server.cc keeps only what is its own: its settings from the
// listener, its per-process state, and its connection loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/listener.h"
#include "net/conn.h"
#include "util/result.h"

namespace mox::daemon {

// What a server program passes from its command line, and the test hooks
// that cmd/ takes from the environment (docs/DESIGN.md "Testing").
struct ServerOptions {
  std::string config_path;
  std::string listener = "public";  // the listener in mox.conf whose settings apply
  std::vector<std::string> listen;  // --listen ADDR:PORT (development)
  int max_conns = 256;
  // Failed authentications are slowed down by this, times the failures
  // beyond the third (the sessions' Settings::auth_delay_unit).
  std::chrono::milliseconds auth_delay_unit{1000};
  // Failed login-attempt rows kept per account; unset: the default of
  // auth/authdb.h.
  std::optional<int64_t> max_failed_login_attempts;
};

// What a protocol is to the skeleton.
struct ServerSpec {
  std::string prog;          // "mox-smtpd": log lines
  bool client_auth = false;  // TLS client certificates are requested (listener_ctx)
  int fds_per_conn = 8;      // ServeOptions::fds_per_conn
};

// What a protocol's setup makes: its handler of one connection (called on
// the connection's own thread when listening), and what a connection beyond
// --max-connections is told.
struct Service {
  std::function<void(net::Conn)> handle;
  std::string busy_reply;
};
// Makes the protocol's per-process state from the loaded config and listener;
// it may move what it keeps out of the ServerBase.
using ServiceSetup = std::function<Result<Service>(ServerBase&)>;

// load_server_base, `setup`, then serve_connections as the config's User,
// until the single connection ends (inetd, Accept=yes) or SIGTERM. Errors are
// logged; returns the exit code.
int run_server(const ServerSpec& spec, const ServerOptions& o, const ServiceSetup& setup);

// run_server for a protocol whose per-process state `State` (a ServerBase
// with what the protocol adds) is made from the loaded ServerBase, completed
// by `setup`, which returns the busy reply (Service::busy_reply), and then
// shared by the connections, each served by serve(conn, state).
template <class State>
int run_server(const ServerSpec& spec, const ServerOptions& o,
               const std::function<Result<std::string>(State&)>& setup,
               void (*serve)(net::Conn, const State&)) {
  return run_server(spec, o, [&setup, serve](ServerBase& b) -> Result<Service> {
    auto state = std::make_shared<State>(std::move(b));
    MOX_ASSIGN(std::string busy_reply, setup(*state));
    return Service{[state, serve](net::Conn c) { serve(std::move(c), *state); },
                   std::move(busy_reply)};
  });
}

}  // namespace mox::daemon
