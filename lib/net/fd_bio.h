// Internal to lib/net: an OpenSSL BIO over a descriptor that, unlike
// BIO_s_socket, writes to sockets with send(MSG_NOSIGNAL). A peer that has
// gone away then gives EPIPE, never a SIGPIPE that would kill the process
// (Conn does not rely on the process ignoring SIGPIPE).
#pragma once

#include <openssl/bio.h>

namespace mox::net {

// A new BIO reading and writing `fd` (borrowed: never closed by the BIO).
// Null if OpenSSL cannot allocate. Retry flags are set for EAGAIN/EINTR, so
// SSL_get_error reports SSL_ERROR_WANT_READ/WRITE on non-blocking fds.
BIO* new_fd_bio(int fd, bool is_socket);

}  // namespace mox::net
