#include "net/dial.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mox::net {

Result<UniqueFd> dial_tcp(const std::string& ip, int port, std::chrono::milliseconds timeout) {
  if (port < 1 || port > 65535) return user_error("bad port " + std::to_string(port));
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return user_error("not an IP address: " + ip);
  }
  UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return internal_error(std::string("socket: ") + std::strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len);
  if (r != 0 && errno != EINPROGRESS && errno != EINTR) {
    return temporary_error(std::string("connect: ") + std::strerror(errno));
  }
  if (r != 0) {
    pollfd p{fd.get(), POLLOUT, 0};
    while (true) {
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return temporary_error("connect: timeout");
      int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
      if (n > 0) break;
      if (n < 0 && errno != EINTR)
        return internal_error(std::string("poll: ") + std::strerror(errno));
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
      return internal_error(std::string("getsockopt: ") + std::strerror(errno));
    }
    if (err != 0) return temporary_error(std::string("connect: ") + std::strerror(err));
  }
  int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl >= 0) ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

}  // namespace mox::net
