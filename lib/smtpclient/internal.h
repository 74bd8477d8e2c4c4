// The Client's connection state and the steps that client.cc, auth.cc and
// deliver.cc share; not part of the module's interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "smtpclient/client.h"

namespace mox::smtpclient {

struct Client::State {
  State(net::Conn c, Options o, std::string h)
      : conn(std::move(c)), opts(std::move(o)), host(std::move(h)) {}

  net::Conn conn;
  Options opts;
  std::string host;    // for SNI, verification and logs
  std::string remote;  // "host [ip]:port"
  ReplyParser parser;
  Extensions ext;
  std::string auth_mechanism;
  tls::SslCtxPtr tls_ctx;
  bool usable = true;      // false after a network error, a 421 or close()
  bool need_rset = false;  // a transaction was left open

  void log(const std::string& line) const;

  // Writes `data`; on failure the connection is unusable.
  std::optional<Failure> write(Stage stage, std::string_view data, milliseconds timeout);
  // Reads one reply. A 421 (RFC 5321 §3.8: the server is closing) makes the
  // connection unusable, but is returned as a reply.
  Outcome<Reply> read_reply(Stage stage, milliseconds timeout);
  // write() of "line\r\n", then read_reply().
  Outcome<Reply> command(Stage stage, std::string_view line, milliseconds timeout);
  // A failure for an I/O error or timeout (temporary, connection unusable).
  Failure io_failure(Stage stage, const Error& e);

  // The steps of setting up a session (client.cc, auth.cc).
  std::optional<Failure> handshake();  // TLS, client side
  std::optional<Failure> greeting();
  std::optional<Failure> ehlo();
  std::optional<Failure> starttls();
  std::optional<Failure> authenticate();
  std::optional<Failure> setup();  // all of the above as opts ask
};

// A failure from a reply that was not the expected one.
Failure reply_failure(Stage stage, Reply r);
// A failure without a reply.
Failure failure(Stage stage, bool permanent, const std::string& what);

}  // namespace mox::smtpclient
