#include "tls/client.h"

#include <openssl/err.h>

#include "crypto/keys.h"
#include "tls/certs.h"

namespace mox::tls {

Result<SslCtxPtr> make_client_ctx(const ClientTLSOptions& opts) {
  if (opts.cert_pem.empty() != opts.key_pem.empty()) {
    return user_error("client certificate and key must be given together");
  }
  if (!opts.cert_pem.empty() && opts.client_cert) {
    return user_error("client certificate given twice");
  }
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return crypto::openssl_internal_error("SSL_CTX_new");
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return crypto::openssl_internal_error("min protocol version");
  }
  SSL_CTX_set_options(
      ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (opts.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    bool system = opts.ca_file.empty() && opts.ca_dir.empty();
    int ok = system ? SSL_CTX_set_default_verify_paths(ctx.get())
                    : SSL_CTX_load_verify_locations(
                          ctx.get(), opts.ca_file.empty() ? nullptr : opts.ca_file.c_str(),
                          opts.ca_dir.empty() ? nullptr : opts.ca_dir.c_str());
    if (ok != 1) {
      return crypto::openssl_internal_error("loading CA certificates " + opts.ca_file +
                                            (opts.ca_dir.empty() ? "" : " " + opts.ca_dir));
    }
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  }
  if (!opts.cert_pem.empty()) {
    MOX_ASSIGN(CertKey ck, cert_key_from_pem(opts.cert_pem, opts.key_pem, "client certificate"));
    if (SSL_CTX_use_cert_and_key(ctx.get(), ck.leaf.get(), ck.key.get(), ck.chain.get(), 1) != 1) {
      return crypto::openssl_internal_error("client certificate");
    }
  }
  if (const CertKey* ck = opts.client_cert.get()) {
    // SSL_CTX_use_cert_and_key takes its own references (up_ref).
    if (SSL_CTX_use_cert_and_key(ctx.get(), ck->leaf.get(), ck->key.get(), ck->chain.get(), 1) !=
        1) {
      return crypto::openssl_internal_error("client certificate");
    }
  }
  return ctx;
}

}  // namespace mox::tls
