// Conn: construction, plain and TLS reads and writes, waiting, closing.
// The TLS handshake and TLS state queries are in conn_tls.cc.
#include "net/conn.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "crypto/keys.h"
#include "net/addr.h"

namespace mox::net {
namespace {

void set_nonblock(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

bool is_socket(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

Error peer_error(std::string what) { return {ErrorKind::kPermanent, std::move(what)}; }

Error errno_error(const char* what) {
  return peer_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

Conn::Conn(UniqueFd fd) : Conn(std::move(fd), UniqueFd()) {}

Conn::Conn(UniqueFd read_fd, UniqueFd write_fd)
    : rfd_(std::move(read_fd)), wfd_(std::move(write_fd)) {
  set_nonblock(rfd_.get());
  // Replies are written whole; without this, a reply after TLS session
  // tickets waits for the client's delayed ACK (~40 ms, seen in bench/).
  // Also for a socket from systemd or inetd (Conn::inetd()). It succeeds
  // on TCP sockets only: tcp_ says whether read_some() asks for quick ACKs.
  int one = 1;
  tcp_ = ::setsockopt(rfd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
  if (wfd_.valid()) set_nonblock(wfd_.get());
  write_is_socket_ = is_socket(wfd());
  remote_ip_ = net::remote_ip(rfd_.get());
  local_ip_ = net::local_ip(rfd_.get());
  remote_port_ = net::remote_port(rfd_.get());
  local_port_ = net::local_port(rfd_.get());
}

Conn Conn::inetd() { return Conn(UniqueFd(0), UniqueFd(1)); }

Conn::~Conn() {
  ssl_.reset();
  close_fds();
}

Status Conn::wait(Want w, Deadline deadline) const {
  pollfd p{w == Want::kRead ? rfd_.get() : wfd(),
           static_cast<short>(w == Want::kRead ? POLLIN : POLLOUT), 0};
  while (true) {
    auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return timeout_error("timeout");
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
    if (r > 0) return {};  // ready, or POLLHUP/POLLERR: the next call reports it
    if (r < 0 && errno != EINTR)
      return internal_error(std::string("poll: ") + std::strerror(errno));
  }
}

Status Conn::ssl_wait(int err, Deadline deadline, const char* what) {
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return wait(Want::kRead, deadline);
    case SSL_ERROR_WANT_WRITE:
      return wait(Want::kWrite, deadline);
    case SSL_ERROR_SYSCALL: {
      int e = errno;
      tls_failed_ = true;
      std::string detail = crypto::openssl_error();
      if (e != 0) detail = std::strerror(e);
      return peer_error(std::string(what) + ": " + detail);
    }
    default:
      tls_failed_ = true;
      return peer_error(std::string(what) + ": " + crypto::openssl_error());
  }
}

Result<size_t> Conn::read_some(char* buf, size_t n, milliseconds timeout) {
  if (n == 0) return user_error("read_some: empty buffer");  // 0 means end of stream
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  if (!z_) return read_raw(buf, n, deadline);
  // net/deflate.h: one wire read is fed only once the last one is inflated.
  char wire[16 * 1024];
  while (true) {
    MOX_ASSIGN(size_t got, z_->inflate(buf, n));
    if (got > 0 || z_->ended()) return got;
    MOX_ASSIGN(size_t raw, read_raw(wire, sizeof wire, deadline));
    if (raw == 0) return size_t{0};
    z_->feed(std::string_view(wire, raw));
  }
}

Result<size_t> Conn::read_raw(char* buf, size_t n, Deadline deadline) {
  // A client that writes a command in pieces (Python's imaplib: an APPEND
  // literal, then its CRLF) holds the second piece in its Nagle queue until
  // the first is acknowledged; Linux delays that ACK by 40 ms once it sees
  // a request/reply exchange. TCP_QUICKACK (tcp(7)) acknowledges at once;
  // it is not permanent, so it is asked for before every read.
  int one = 1;
  if (tcp_) (void)::setsockopt(rfd_.get(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  while (true) {
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      size_t got = 0;
      int r = SSL_read_ex(ssl_.get(), buf, n, &got);
      if (r == 1) return got;
      int err = SSL_get_error(ssl_.get(), r);
      if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
      MOX_TRY(ssl_wait(err, deadline, "tls read"));
      continue;
    }
    ssize_t r = ::read(rfd_.get(), buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_error("read");
    MOX_TRY(wait(Want::kRead, deadline));
  }
}

Status Conn::write_all(std::string_view data, milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  if (!z_) return write_raw(data, deadline);
  MOX_ASSIGN(std::string deflated, z_->compress(data));
  return write_raw(deflated, deadline);
}

Status Conn::start_compress() {
  if (z_) return user_error("compression already active");
  MOX_ASSIGN(Deflate d, Deflate::make());
  z_ = std::make_unique<Deflate>(std::move(d));
  return {};
}

Status Conn::write_raw(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      size_t done = 0;
      // Without SSL_MODE_ENABLE_PARTIAL_WRITE, success means all was written;
      // a retry after WANT_* repeats the same arguments, as OpenSSL requires.
      int r = SSL_write_ex(ssl_.get(), data.data(), data.size(), &done);
      if (r == 1) {
        data.remove_prefix(done);
        continue;
      }
      MOX_TRY(ssl_wait(SSL_get_error(ssl_.get(), r), deadline, "tls write"));
      continue;
    }
    ssize_t r = write_is_socket_ ? ::send(wfd(), data.data(), data.size(), MSG_NOSIGNAL)
                                 : ::write(wfd(), data.data(), data.size());
    if (r >= 0) {
      data.remove_prefix(static_cast<size_t>(r));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_error("write");
    MOX_TRY(wait(Want::kWrite, deadline));
  }
  return {};
}

void Conn::shutdown() {
  if (ssl_ && !tls_failed_ && SSL_is_init_finished(ssl_.get())) {
    // RFC 8446 §6.1: send close_notify; we need not wait for the peer's.
    Deadline deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (int i = 0; i < 2; i++) {
      ERR_clear_error();
      int r = SSL_shutdown(ssl_.get());
      if (r >= 0 || SSL_get_error(ssl_.get(), r) != SSL_ERROR_WANT_WRITE) break;
      if (!wait(Want::kWrite, deadline).ok()) break;
    }
    ERR_clear_error();
  }
  ssl_.reset();
  close_fds();
}

void Conn::close_fds() {
  for (UniqueFd* fd : {&wfd_, &rfd_}) {
    if (!fd->valid()) continue;
    if (int target = fd->get(); target <= 2) {
      // Keep 0..2 taken, so that a later open(2) cannot become "stdout".
      int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0) {
        if (::dup2(null, target) >= 0) fd->release();
        ::close(null);
      }
    }
    fd->reset();
  }
}

}  // namespace mox::net
