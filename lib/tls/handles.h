// RAII owners for OpenSSL TLS handles, beside the crypto
// ones in crypto/keys.h.
#pragma once

#include <openssl/ssl.h>

#include <memory>

namespace mox::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct SslSessionFree {
  void operator()(SSL_SESSION* p) const { SSL_SESSION_free(p); }
};
// A certificate stack owning its certificates.
struct X509StackFree {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

// An SSL_CTX is safe to share read-only between threads once configured.
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

}  // namespace mox::tls
