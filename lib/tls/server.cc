#include "tls/server.h"

#include <openssl/err.h>

#include <ctime>

#include "crypto/keys.h"
#include "tls/tickets.h"

namespace mox::tls {
namespace {

// TLS 1.2: ECDHE key exchange with AEAD ciphers only (forward secrecy, no
// CBC; RFC 7525 §4.2 as updated by RFC 9325 §4.2). TLS 1.3: OpenSSL's
// default suites, all AEAD.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void free_certs(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::vector<CertKey>*>(ptr);
}

int certs_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_certs);
  return index;
}

Status use_cert(SSL_CTX* ctx, const CertKey& ck) {
  if (SSL_CTX_use_cert_and_key(ctx, ck.leaf.get(), ck.key.get(), ck.chain.get(), 1) != 1) {
    return crypto::openssl_internal_error("loading certificate");
  }
  return {};
}

// RFC 6066 §3 server_name: serve the certificates for the name, at most one
// per key type (OpenSSL then picks by the client's signature algorithms),
// else keep the default (the first KeyCerts entry).
int on_server_name(SSL* ssl, int*, void*) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  auto* certs = static_cast<const std::vector<CertKey>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), certs_index()));
  if (name == nullptr || certs == nullptr) return SSL_TLSEXT_ERR_OK;
  std::vector<size_t> matches = certs_for_name(*certs, name);
  if (matches.empty() || (matches.size() == 1 && matches[0] == 0)) return SSL_TLSEXT_ERR_OK;
  SSL_certs_clear(ssl);
  std::vector<int> types;
  for (size_t i : matches) {
    const CertKey& ck = (*certs)[i];
    int type = EVP_PKEY_get_base_id(ck.key.get());
    if (std::find(types.begin(), types.end(), type) != types.end()) continue;
    types.push_back(type);
    if (SSL_use_cert_and_key(ssl, ck.leaf.get(), ck.key.get(), ck.chain.get(), 1) != 1) {
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

int check_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Replaces OpenSSL's chain verification (SSL_CTX_set_cert_verify_callback):
// no CA, no expiry, no names; the connection's ClientCertCheck judges the
// public key (mox-tlspubkey(8)). X509_V_ERR_CERT_REJECTED makes OpenSSL
// send alert bad_certificate.
int verify_client_cert(X509_STORE_CTX* store, void*) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  auto* check = ssl ? static_cast<ClientCertCheck*>(SSL_get_ex_data(ssl, check_index())) : nullptr;
  if (check == nullptr || leaf == nullptr || (*check)(leaf)) {
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

Result<int> min_proto(std::string_view v) {
  if (v.empty() || v == "TLSv1.2") return TLS1_2_VERSION;
  if (v == "TLSv1.3") return TLS1_3_VERSION;
  return user_error("TLS MinVersion \"" + std::string(v) + "\" must be TLSv1.2 or TLSv1.3");
}

Status configure(SSL_CTX* ctx, int min_version, const ServerTLSOptions& opts) {
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return crypto::openssl_internal_error("tls protocol settings");
  }
  // No compression (CRIME), no renegotiation (RFC 9266 §3 requires that for
  // tls-exporter; also a DoS vector), our cipher order.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Sessions only resume into a context of the same kind: one that asked
  // for client certificates keeps the peer certificate in its sessions.
  static constexpr unsigned char kPlain[] = "mox", kClientCert[] = "mox-clientcert";
  bool cc = opts.request_client_cert;
  if (SSL_CTX_set_session_id_context(ctx, cc ? kClientCert : kPlain,
                                     cc ? sizeof kClientCert - 1 : sizeof kPlain - 1) != 1) {
    return crypto::openssl_internal_error("session id context");
  }
  if (cc) {
    // Request mode: SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, verify_client_cert, nullptr);
  }
  if (!opts.ticket_key_file.empty()) {
    auto now = opts.now ? opts.now : [] { return static_cast<int64_t>(std::time(nullptr)); };
    MOX_ASSIGN(auto keys, TicketKeys::open(opts.ticket_key_file, now));
    MOX_TRY(use_ticket_keys(ctx, std::move(keys)));
  }
  return {};
}

}  // namespace

void set_client_cert_check(SSL* ssl, ClientCertCheck* check) {
  SSL_set_ex_data(ssl, check_index(), check);
}

Result<SslCtxPtr> make_server_ctx(std::vector<CertKey> certs, std::string_view min_version,
                                  const ServerTLSOptions& opts) {
  if (certs.empty()) return user_error("TLS needs at least one KeyCerts entry");
  MOX_ASSIGN(int min, min_proto(min_version));
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return crypto::openssl_internal_error("SSL_CTX_new");
  MOX_TRY(configure(ctx.get(), min, opts));
  MOX_TRY(use_cert(ctx.get(), certs.front()));
  int index = certs_index();
  if (index < 0) return crypto::openssl_internal_error("SSL_CTX_get_ex_new_index");
  auto* owned = new std::vector<CertKey>(std::move(certs));
  if (SSL_CTX_set_ex_data(ctx.get(), index, owned) != 1) {
    delete owned;
    return crypto::openssl_internal_error("SSL_CTX_set_ex_data");
  }
  SSL_CTX_set_tlsext_servername_callback(ctx.get(), on_server_name);
  return ctx;
}

}  // namespace mox::tls
