#include "net/fd_bio.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace mox::net {
namespace {

struct FdBioData {
  int fd;
  bool is_socket;
  bool eof = false;
};

FdBioData* data(BIO* b) { return static_cast<FdBioData*>(BIO_get_data(b)); }

bool retryable(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

int fd_write(BIO* b, const char* buf, int len) {
  FdBioData* d = data(b);
  BIO_clear_retry_flags(b);
  ssize_t n = d->is_socket ? ::send(d->fd, buf, static_cast<size_t>(len), MSG_NOSIGNAL)
                           : ::write(d->fd, buf, static_cast<size_t>(len));
  if (n < 0 && retryable(errno)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int fd_read(BIO* b, char* buf, int len) {
  FdBioData* d = data(b);
  BIO_clear_retry_flags(b);
  ssize_t n = ::read(d->fd, buf, static_cast<size_t>(len));
  if (n < 0 && retryable(errno)) BIO_set_retry_read(b);
  // Reported through BIO_CTRL_EOF, which OpenSSL consults to tell an EOF
  // without close_notify from other errors (SSL_OP_IGNORE_UNEXPECTED_EOF).
  if (n == 0) d->eof = true;
  return static_cast<int>(n);
}

int fd_puts(BIO* b, const char* s) {
  int len = 0;
  while (s[len] != '\0') len++;
  return fd_write(b, s, len);
}

long fd_ctrl(BIO* b, int cmd, long, void* ptr) {
  FdBioData* d = data(b);
  switch (cmd) {
    case BIO_C_GET_FD:
      if (ptr != nullptr) *static_cast<int*>(ptr) = d->fd;
      return d->fd;
    case BIO_CTRL_EOF:
      return d->eof ? 1 : 0;
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DUP:
      return 1;
    default:
      return 0;
  }
}

int fd_destroy(BIO* b) {
  delete data(b);
  BIO_set_data(b, nullptr);
  return 1;
}

// Made once and never freed: immutable and shared by all threads.
const BIO_METHOD* fd_method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mox fd");
    if (m == nullptr || BIO_meth_set_write(m, fd_write) != 1 ||
        BIO_meth_set_read(m, fd_read) != 1 || BIO_meth_set_puts(m, fd_puts) != 1 ||
        BIO_meth_set_ctrl(m, fd_ctrl) != 1 || BIO_meth_set_destroy(m, fd_destroy) != 1) {
      BIO_meth_free(m);
      return static_cast<BIO_METHOD*>(nullptr);
    }
    return m;
  }();
  return method;
}

}  // namespace

BIO* new_fd_bio(int fd, bool is_socket) {
  const BIO_METHOD* m = fd_method();
  if (m == nullptr) return nullptr;
  BIO* b = BIO_new(m);
  if (b == nullptr) return nullptr;
  BIO_set_data(b, new FdBioData{fd, is_socket});
  BIO_set_init(b, 1);
  return b;
}

}  // namespace mox::net
