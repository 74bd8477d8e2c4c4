// Conn: TLS handshakes and TLS state (net/conn.h).
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cerrno>
#include <cstdio>

#include "crypto/keys.h"
#include "net/conn.h"
#include "net/fd_bio.h"
#include "tls/info.h"

namespace mox::net {
namespace {

bool is_ip_literal(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// As mox (moxio.TLSInfo): Go's tls.VersionName lower-cased without spaces.
std::string version_name(int v) {
  switch (v) {
    case TLS1_3_VERSION:
      return "tls1.3";
    case TLS1_2_VERSION:
      return "tls1.2";
    case TLS1_1_VERSION:
      return "tls1.1";
    case TLS1_VERSION:
      return "tls1.0";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
      return buf;
    }
  }
}

}  // namespace

Status Conn::new_ssl(SSL_CTX* ctx) {
  if (ssl_) return user_error("tls already active");
  ERR_clear_error();
  tls::SslPtr ssl(SSL_new(ctx));
  if (!ssl) return crypto::openssl_internal_error("SSL_new");
  // Our own BIOs rather than SSL_set_fd: they write with MSG_NOSIGNAL.
  BIO* rbio = new_fd_bio(rfd_.get(), write_is_socket_ && !wfd_.valid());
  BIO* wbio = wfd_.valid() ? new_fd_bio(wfd_.get(), write_is_socket_) : rbio;
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    if (wbio != rbio) BIO_free(wbio);
    return crypto::openssl_internal_error("BIO_new");
  }
  SSL_set_bio(ssl.get(), rbio, wbio);  // owns them (one reference if the same)
  // A peer that closes TCP without close_notify is end of stream: SMTP and
  // IMAP frame their own data, so truncation cannot go unnoticed.
  SSL_set_options(ssl.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  ssl_ = std::move(ssl);
  tls_failed_ = false;
  return {};
}

Status Conn::handshake(milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(ssl_.get());
    if (r == 1) return {};
    int err = SSL_get_error(ssl_.get(), r);
    bool closed = err == SSL_ERROR_ZERO_RETURN ||
                  (err == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0);
    if (closed) {
      tls_failed_ = true;
      return Error{ErrorKind::kPermanent, "tls handshake: connection closed by peer"};
    }
    MOX_TRY(ssl_wait(err, deadline, "tls handshake"));
  }
}

Status Conn::start_tls_server(SSL_CTX* ctx, milliseconds timeout,
                              const std::function<void(SSL*)>& prepare) {
  MOX_TRY(new_ssl(ctx));
  if (prepare) prepare(ssl_.get());
  SSL_set_accept_state(ssl_.get());
  return handshake(timeout);
}

Status Conn::start_tls_client(SSL_CTX* ctx, const std::string& sni, milliseconds timeout,
                              SSL_SESSION* resume) {
  MOX_TRY(new_ssl(ctx));
  SSL* ssl = ssl_.get();
  bool ip = is_ip_literal(sni);
  // RFC 6066 §3: literal IP addresses are not permitted in server_name.
  if (!sni.empty() && !ip && SSL_set_tlsext_host_name(ssl, sni.c_str()) != 1) {
    return crypto::openssl_internal_error("server name");
  }
  if (!sni.empty() && (SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_PEER) != 0) {
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), sni.c_str())
                : SSL_set1_host(ssl, sni.c_str());
    if (ok != 1) return crypto::openssl_internal_error("verify name");
  }
  if (resume != nullptr && SSL_set_session(ssl, resume) != 1) {
    return crypto::openssl_internal_error("SSL_set_session");
  }
  SSL_set_connect_state(ssl);
  return handshake(timeout);
}

std::string Conn::tls_description() const {
  if (!ssl_) return "";
  SSL* ssl = ssl_.get();
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  const char* suite = cipher ? SSL_CIPHER_standard_name(cipher) : nullptr;
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  tls::TLSInfo info{version_name(SSL_version(ssl)), lower(suite ? suite : ""), sni(), tls_resumed(),
                    std::string(reinterpret_cast<const char*>(alpn), alpn ? alpn_len : 0)};
  return tls::tls_description(info);
}

bool Conn::has_buffered_input() const {
  return (ssl_ && SSL_pending(ssl_.get()) > 0) || (z_ && z_->has_output());
}

bool Conn::tls_resumed() const { return ssl_ && SSL_session_reused(ssl_.get()) == 1; }

X509* Conn::peer_certificate() const {
  return ssl_ ? SSL_get0_peer_certificate(ssl_.get()) : nullptr;
}

std::string Conn::sni() const {
  const char* name = ssl_ ? SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name) : nullptr;
  return name ? name : "";
}

Result<std::string> Conn::tls_exporter_channel_binding() const {
  if (!ssl_ || !SSL_is_init_finished(ssl_.get())) {
    return user_error("tls-exporter channel binding: no tls");
  }
  SSL* ssl = ssl_.get();
  // RFC 9266 §3 (and RFC 5705 §6): with TLS before 1.3 the exporter is only
  // unique per connection with the extended master secret (RFC 7627).
  if (SSL_version(ssl) < TLS1_3_VERSION && SSL_get_extms_support(ssl) != 1) {
    return Error{ErrorKind::kPermanent,
                 "tls-exporter channel binding needs TLS 1.3 or extended master secret"};
  }
  // RFC 9266 §2: label "EXPORTER-Channel-Binding", an empty context value
  // (present but zero-length, which differs from "no context" in TLS 1.2's
  // RFC 5705 exporter; Go does the same), 32 bytes.
  static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
  unsigned char out[32];
  const unsigned char empty_context[1] = {0};
  ERR_clear_error();
  if (SSL_export_keying_material(ssl, out, sizeof out, kLabel, sizeof kLabel - 1, empty_context, 0,
                                 1) != 1) {
    return crypto::openssl_internal_error("tls exporter");
  }
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

tls::SslSessionPtr Conn::tls_session() const {
  return tls::SslSessionPtr(ssl_ ? SSL_get1_session(ssl_.get()) : nullptr);
}

}  // namespace mox::net
