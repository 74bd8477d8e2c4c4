// Client-side TLS contexts: for our tests, mox-sendmail and the queue's
// SMTP client. Share the context between threads once made.
#pragma once

#include <string>

#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

struct ClientTLSOptions {
  // Verify the server's chain (and, through Conn::start_tls_client, its
  // name). Opportunistic STARTTLS (RFC 7435 / RFC 3207 §4.1) turns it off.
  bool verify = true;
  // Trusted CAs (PEM); empty: the system's default trust store.
  std::string ca_file;
  // Optional client certificate and its key as PEM (SPEC B §7.5); both or
  // neither.
  std::string cert_pem, key_pem;
};

// TLS 1.2 or newer, no compression, no renegotiation. user_error if only
// one of cert_pem and key_pem is given or they do not belong together.
Result<SslCtxPtr> make_client_ctx(const ClientTLSOptions& opts);

}  // namespace mox::tls
