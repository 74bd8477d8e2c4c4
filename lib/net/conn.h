// Conn: one connection's bytes, in plain text or TLS, with blocking-style
// calls bounded by timeouts (poll(2) on non-blocking descriptors). The SMTP
// and IMAP drivers read and write through it; it knows no protocol.
//
// After start_compress(), both directions go through net/deflate.h (RFC 4978
// COMPRESS=DEFLATE), inside TLS when TLS is active: callers read and write
// plain bytes as before.
//
// Writes never raise SIGPIPE (MSG_NOSIGNAL on sockets; for pipes, call
// ignore_sigpipe() from net/activation.h).
//
// A Conn owns its descriptors and its SSL. Not thread-safe: one thread uses
// a connection at a time. The SSL_CTX passed to start_tls_* must outlive the
// Conn (OpenSSL reference-counts it, so freeing the caller's pointer early
// is safe too).
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/deflate.h"
#include "net/fd.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::net {

using std::chrono::milliseconds;

class Conn {
 public:
  // A connected socket, read and written through the same descriptor.
  explicit Conn(UniqueFd fd);
  // Separate descriptors for reading and writing, e.g. inetd's fd 0 and
  // fd 1 (Conn::inetd()), or two pipes in tests. Both may name the same
  // socket. The IPs are taken from `read_fd`.
  Conn(UniqueFd read_fd, UniqueFd write_fd);
  // The inetd / systemd Accept=yes connection on fd 0 and fd 1.
  static Conn inetd();

  Conn(Conn&&) noexcept = default;
  Conn& operator=(Conn&&) noexcept = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  // Frees the SSL and closes the descriptors without a close_notify; call
  // shutdown() for an orderly close.
  ~Conn();

  // Reads at most `n` (> 0) bytes, waiting at most `timeout` for the first.
  // Returns the number read; 0 is end of stream (for TLS: close_notify, or
  // the peer closing TCP without one, which mail protocols tolerate since
  // they frame their own data). Errors: kTemporary with message "timeout";
  // kPermanent for I/O errors and TLS errors (reset, alerts): the
  // connection is then unusable; kInternal for local failures.
  Result<size_t> read_some(char* buf, size_t n, milliseconds timeout);
  // Writes all of `data` unbuffered (the caller batches its replies); the
  // whole call takes at most `timeout`. Errors as read_some.
  Status write_all(std::string_view data, milliseconds timeout);

  // Server side of a TLS handshake, right after accept (implicit TLS) or
  // after the STARTTLS reply. `prepare`, if given, is called with the new
  // SSL before the handshake, e.g. to set a per-connection verify callback
  // with SSL_set_ex_data (mox-smtpd(8) "Authentication"). Errors: "timeout"
  // (kTemporary), kPermanent "tls handshake: ..." when the handshake fails,
  // kUser if TLS is already active.
  Status start_tls_server(SSL_CTX* ctx, milliseconds timeout,
                          const std::function<void(SSL*)>& prepare = nullptr);
  // Client side, for our tests and the queue's SMTP client. A non-empty
  // `sni` is sent as server_name unless it is an IP address (RFC 6066 §3)
  // and, if `ctx` verifies peers, is the name (or IP) the server certificate
  // must match. A non-null `resume` (from tls_session()) is offered for
  // resumption.
  Status start_tls_client(SSL_CTX* ctx, const std::string& sni, milliseconds timeout,
                          SSL_SESSION* resume = nullptr);

  // From now on, reads inflate and writes deflate (net/deflate.h): call it
  // right after writing the reply that starts compression (RFC 4978 §3),
  // with no input read past that command. kUser if already compressing;
  // kInternal when zlib cannot allocate.
  Status start_compress();
  bool compressing() const { return z_ != nullptr; }

  bool tls() const { return ssl_ != nullptr; }
  // For waiting on the connection and other fds together (IMAP IDLE): the
  // descriptor to poll for input, and whether TLS already holds decrypted
  // or inflated bytes that a poll would not see.
  int read_fd() const { return rfd_.get(); }
  bool has_buffered_input() const;
  // For login attempts (docs/DESIGN.md "Login attempts"), as mox writes it:
  // "version=tls1.3 ciphersuite=tls_aes_128_gcm_sha256 sni=mail.example.com
  // resumed=false alpn=" (lower case; empty values kept). "" without TLS.
  std::string tls_description() const;
  bool tls_resumed() const;
  // The peer's certificate (also after resumption: it is kept in the
  // session), or null. Borrowed: valid while the TLS session is.
  X509* peer_certificate() const;
  // The server_name of the handshake (server: what the client sent), or "".
  std::string sni() const;
  // RFC 9266 tls-exporter channel binding for SCRAM-*-PLUS: 32 bytes.
  // Errors if TLS is not active, or with TLS 1.2 without extended master
  // secret (RFC 9266 §3, RFC 7627).
  Result<std::string> tls_exporter_channel_binding() const;
  // A reference to the current session for resumption by a later
  // start_tls_client, or null. With TLS 1.3 the server's tickets arrive
  // after the handshake: read something first.
  tls::SslSessionPtr tls_session() const;
  // Borrowed; null without TLS.
  SSL* ssl() const { return ssl_.get(); }

  // Sends a TLS close_notify (best effort, waits at most 1 s) and closes
  // the descriptors. fd 0..2 are pointed at /dev/null instead of closed, so
  // that later files cannot take their numbers. Idempotent.
  void shutdown();

  const std::string& remote_ip() const { return remote_ip_; }
  const std::string& local_ip() const { return local_ip_; }
  int remote_port() const { return remote_port_; }
  int local_port() const { return local_port_; }

 private:
  enum class Want { kRead, kWrite };
  using Deadline = std::chrono::steady_clock::time_point;

  Status wait(Want w, Deadline deadline) const;
  // The bytes on the wire (TLS or plain), under compression.
  Result<size_t> read_raw(char* buf, size_t n, Deadline deadline);
  Status write_raw(std::string_view data, Deadline deadline);
  // After an SSL_* call failed with SSL_get_error() `err`: waits for the
  // I/O OpenSSL wants and returns ok (retry the call), or returns the error.
  Status ssl_wait(int err, Deadline deadline, const char* what);
  int wfd() const { return wfd_.valid() ? wfd_.get() : rfd_.get(); }
  Status handshake(milliseconds timeout);
  Status new_ssl(SSL_CTX* ctx);
  void close_fds();

  // Declared before ssl_ so that the SSL is freed before the fds close.
  UniqueFd rfd_, wfd_;  // wfd_ invalid when it is the same as rfd_
  tls::SslPtr ssl_;
  bool write_is_socket_ = false;
  bool tcp_ = false;            // rfd_ is a TCP socket (TCP_QUICKACK before reads)
  bool tls_failed_ = false;     // a fatal TLS error: no close_notify then
  std::unique_ptr<Deflate> z_;  // COMPRESS=DEFLATE, when started
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;
};

}  // namespace mox::net
