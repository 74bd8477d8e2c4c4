// The connection loop of one IMAP session, shared by the network server
// (server.cc: a socket, inetd's descriptors 0 and 1) and the preauthenticated
// session on standard input and output (preauth.cc): the session's replies
// written and the client's input fed to it until the session ends; IDLE and
// NOTIFY (RFC 2177, RFC 5465) wait for input or a change of the account
// (store/notify.h); STARTTLS and COMPRESS (RFC 4978) transform the
// connection. The loop does not close the connection: its caller does.
#pragma once

#include <openssl/ssl.h>

#include <chrono>

#include "imapserver/backend.h"
#include "imapserver/session.h"
#include "net/conn.h"
#include "store/notify.h"

namespace mox::imapserver {

// What the loop takes from the process.
struct LoopEnv {
  // One for the process: every session's IDLE shares its inotify instance.
  store::ChangeNotifier& notifier;
  // How long a logged-in session may be silent (server.h kAuthTimeout).
  std::chrono::milliseconds auth_timeout;
  // STARTTLS's context; null where the session offers no STARTTLS.
  SSL_CTX* tls = nullptr;
};

// Writes `first` (the greeting), then serves the session until it ends, the
// client leaves, or a timeout.
void run_session(net::Conn& conn, const LoopEnv& env, StoreBackend& backend, Session& session,
                 Output first);

// The TLS handshake on `conn` with `ctx`, with the client-certificate login
// (mox-imapd(8) "TLS client certificates"), and the session told of it.
// False: the connection ends (handshake failed, or a resumed session's key
// was removed since, which the client is told in an ALERT).
bool start_tls(net::Conn& conn, SSL_CTX* ctx, StoreBackend& backend, Session& session);

}  // namespace mox::imapserver
