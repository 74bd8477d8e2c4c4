// Client-side TLS contexts: for our tests, mox-sendmail and the queue's
// SMTP client. Share the context between threads once made.
#pragma once

#include <memory>
#include <string>

#include "tls/certs.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

struct ClientTLSOptions {
  // Verify the server's chain (and, through Conn::start_tls_client, its
  // name). Opportunistic STARTTLS (RFC 7435 / RFC 3207 §4.1) turns it off.
  bool verify = true;
  // Trusted CAs: a PEM file and/or a hashed directory (c_rehash); both
  // empty: the system's default trust store.
  std::string ca_file, ca_dir;
  // Optional client certificate and its key as PEM (mox-tlspubkey(8)); both or
  // neither.
  std::string cert_pem, key_pem;
  // Or the same already loaded (key, leaf and chain); not with cert_pem.
  std::shared_ptr<const CertKey> client_cert;
};

// TLS 1.2 or newer, no compression, no renegotiation. user_error if only
// one of cert_pem and key_pem is given, they do not belong together, or
// both they and client_cert are given.
Result<SslCtxPtr> make_client_ctx(const ClientTLSOptions& opts);

}  // namespace mox::tls
