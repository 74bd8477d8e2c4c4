#include "net/activation.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace mox::net {
namespace {

// First descriptor passed by systemd (SD_LISTEN_FDS_START in sd-daemon.h).
constexpr int kListenFdsStart = 3;
constexpr int kBacklog = 1024;

std::string env_or_empty(const char* name, bool* set) {
  const char* v = std::getenv(name);
  *set = v != nullptr;
  return v ? v : "";
}

// A decimal number without sign, spaces or trailing text.
bool parse_decimal(std::string_view s, long long* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

std::vector<std::string> split_colon(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t i = s.find(':', start);
    out.push_back(s.substr(start, i == std::string::npos ? std::string::npos : i - start));
    if (i == std::string::npos) return out;
    start = i + 1;
  }
}

Error os_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::vector<ListenFd>> systemd_listen_fds() {
  bool pid_set = false, fds_set = false, names_set = false;
  std::string pid_s = env_or_empty("LISTEN_PID", &pid_set);
  std::string fds_s = env_or_empty("LISTEN_FDS", &fds_set);
  std::string names_s = env_or_empty("LISTEN_FDNAMES", &names_set);
  // sd_listen_fds(3) with unset_environment=1: unset whatever the outcome.
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (!pid_set) return std::vector<ListenFd>{};

  long long pid = 0;
  if (!parse_decimal(pid_s, &pid) || pid == 0) {
    return syntax_error("LISTEN_PID \"" + pid_s + "\" is not a process id");
  }
  if (pid != ::getpid()) {
    return user_error("LISTEN_PID " + pid_s + " is not our pid " + std::to_string(::getpid()) +
                      ": the sockets were meant for another process");
  }
  long long n = 0;
  if (!parse_decimal(fds_s, &n) || n > INT_MAX - kListenFdsStart) {
    return syntax_error("LISTEN_FDS \"" + fds_s + "\" is not a number of descriptors");
  }
  std::vector<std::string> names;
  if (names_set) {
    names = split_colon(names_s);
    if (static_cast<long long>(names.size()) != n) {
      return syntax_error("LISTEN_FDNAMES has " + std::to_string(names.size()) + " names for " +
                          std::to_string(n) + " descriptors");
    }
  }
  std::vector<ListenFd> out;
  for (int i = 0; i < n; i++) {
    int fd = kListenFdsStart + i;
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
      return os_error("LISTEN_FDS descriptor " + std::to_string(fd));
    }
    out.push_back({fd, names_set ? names[i] : "unknown"});
  }
  return out;
}

namespace {

// Splits "host:port", "[v6]:port" or ":port".
Status split_host_port(std::string_view s, std::string* host, std::string* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    return syntax_error("listen address \"" + std::string(s) + "\" has no :port");
  }
  std::string_view h = s.substr(0, colon);
  if (!h.empty() && h.front() == '[') {
    if (h.size() < 2 || h.back() != ']') {
      return syntax_error("listen address \"" + std::string(s) + "\": unbalanced [");
    }
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string_view::npos) {
    return syntax_error("listen address \"" + std::string(s) + "\": IPv6 needs [brackets]");
  }
  long long p = 0;
  std::string_view ps = s.substr(colon + 1);
  if (!parse_decimal(ps, &p) || p > 65535) {
    return syntax_error("listen address \"" + std::string(s) + "\": bad port");
  }
  *host = std::string(h);
  *port = std::string(ps);
  return {};
}

Result<UniqueFd> listen_on(const sockaddr* sa, socklen_t len, bool dual_stack,
                           std::string_view what) {
  UniqueFd fd(::socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return os_error("socket for " + std::string(what));
  int one = 1, zero = 0;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return os_error("SO_REUSEADDR");
  }
  if (dual_stack && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0) {
    return os_error("IPV6_V6ONLY");
  }
  if (::bind(fd.get(), sa, len) != 0) return os_error("bind " + std::string(what));
  if (::listen(fd.get(), kBacklog) != 0) return os_error("listen " + std::string(what));
  return fd;
}

}  // namespace

Result<UniqueFd> listen_tcp(std::string_view addr_port) {
  std::string host, port;
  MOX_TRY(split_host_port(addr_port, &host, &port));
  if (host.empty()) {
    // All addresses: one IPv6 socket that also accepts IPv4 (RFC 4291
    // §2.5.5.2 mapped addresses), or IPv4 only on hosts without IPv6.
    uint16_t p = htons(static_cast<uint16_t>(std::atoi(port.c_str())));
    if (UniqueFd probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)); probe.valid()) {
      sockaddr_in6 a6{};
      a6.sin6_family = AF_INET6;
      a6.sin6_addr = in6addr_any;
      a6.sin6_port = p;
      return listen_on(reinterpret_cast<sockaddr*>(&a6), sizeof a6, true, addr_port);
    }
    sockaddr_in a4{};
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    a4.sin_port = p;
    return listen_on(reinterpret_cast<sockaddr*>(&a4), sizeof a4, false, addr_port);
  }
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return syntax_error("listen address \"" + std::string(addr_port) +
                        "\": not a numeric IP address: " + ::gai_strerror(rc));
  }
  auto r = listen_on(res->ai_addr, res->ai_addrlen, false, addr_port);
  ::freeaddrinfo(res);
  return r;
}

}  // namespace mox::net
