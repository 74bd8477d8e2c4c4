// Server-side TLS contexts for the SMTP and IMAP servers: certificates from
// the listener's TLS config picked by SNI, modern protocol versions and
// ciphers, optional client certificates (mox-smtpd(8) "Authentication") and
// session tickets shared between processes (tls/tickets.h; docs/DESIGN.md
// "Shared state between processes").
//
// The returned SSL_CTX is configured once and then only read: share it
// between connection threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/certs.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

struct ServerTLSOptions {
  // Ask for, but do not require, a client certificate (mox-smtpd(8)
  // "Authentication": submission(s) and IMAP(S), unless
  // TLS.ClientAuthDisabled). The chain is not verified against any CA
  // (SSL_get_verify_result() means nothing here); only its public key counts,
  // judged by the connection's set_client_cert_check, if any, else accepted.
  bool request_client_cert = false;
  // Session-ticket key file shared by all processes (tls/tickets.h), e.g.
  // daemon::default_ticket_key_file(config). Empty: OpenSSL's per-process keys, so
  // sessions resume only within one process.
  std::string ticket_key_file;
  // Unix seconds, for ticket key rotation; default: the system clock.
  std::function<int64_t()> now;
};

// Decides during the handshake on the certificate a client presented (the
// leaf; called once, only when the client sent one, and not on resumed
// sessions). False fails the handshake with alert bad_certificate (42,
// RFC 8446 §6.2), as mox does for an unknown key.
using ClientCertCheck = std::function<bool(X509* leaf)>;
// Installs `check` (borrowed: it must outlive the handshake) on a server
// connection of a context made with request_client_cert, e.g. from
// Conn::start_tls_server's `prepare`.
void set_client_cert_check(SSL* ssl, ClientCertCheck* check);

// A context from loaded certificates: the first is the default certificate,
// the others are chosen by SNI (daemon/listener.h loads them from a mox.conf
// listener). `certs` must not be empty; `min_version` "TLSv1.2" (default, for
// "") or "TLSv1.3".
Result<SslCtxPtr> make_server_ctx(std::vector<CertKey> certs, std::string_view min_version,
                                  const ServerTLSOptions& opts);

}  // namespace mox::tls
