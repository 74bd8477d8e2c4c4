#include "net/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace mox::net {
namespace {

enum class Side { kLocal, kRemote };

bool get_addr(int fd, Side side, sockaddr_storage* ss) {
  socklen_t len = sizeof *ss;
  auto* sa = reinterpret_cast<sockaddr*>(ss);
  int r = side == Side::kLocal ? ::getsockname(fd, sa, &len) : ::getpeername(fd, sa, &len);
  return r == 0;
}

std::string ip_of(int fd, Side side) {
  sockaddr_storage ss{};
  if (!get_addr(fd, side, &ss)) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    return ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf) ? buf : "";
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      return ::inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, sizeof buf) ? buf : "";
    }
    return ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf) ? buf : "";
  }
  return "";
}

int port_of(int fd, Side side) {
  sockaddr_storage ss{};
  if (!get_addr(fd, side, &ss)) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

}  // namespace

std::string remote_ip(int fd) { return ip_of(fd, Side::kRemote); }
std::string local_ip(int fd) { return ip_of(fd, Side::kLocal); }
int remote_port(int fd) { return port_of(fd, Side::kRemote); }
int local_port(int fd) { return port_of(fd, Side::kLocal); }

}  // namespace mox::net
