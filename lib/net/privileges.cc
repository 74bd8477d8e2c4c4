// drop_privileges() and ignore_sigpipe() from net/activation.h.
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/activation.h"

namespace mox::net {
namespace {

Error os_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

}  // namespace

Status drop_privileges(const std::string& user) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc;
  while ((rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0) return internal_error("looking up user \"" + user + "\": " + std::strerror(rc));
  if (found == nullptr) return not_found("user \"" + user + "\" does not exist");
  if (pw.pw_uid == 0) {
    // Only test setups that run everything as root may opt in.
    const char* allow = std::getenv("MOX_ALLOW_ROOT");
    if (allow && std::string(allow) == "1") return {};
    return user_error("user \"" + user + "\" is root; refusing to run as root");
  }
  if (::geteuid() != 0) return {};

  // Order matters: groups and gid can only be changed while still root.
  if (::setgroups(0, nullptr) != 0) return os_error("setgroups");
  if (::setgid(pw.pw_gid) != 0) return os_error("setgid " + std::to_string(pw.pw_gid));
  if (::setuid(pw.pw_uid) != 0) return os_error("setuid " + std::to_string(pw.pw_uid));
  // setuid as root sets real, effective and saved ids; prove it.
  if (::setuid(0) == 0 || ::seteuid(0) == 0 || ::getuid() != pw.pw_uid ||
      ::geteuid() != pw.pw_uid || ::getegid() != pw.pw_gid) {
    return internal_error("dropping privileges to \"" + user + "\" failed: root regained");
  }
  return {};
}

void ignore_sigpipe() {
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGPIPE, &sa, nullptr);
}

bool is_listening(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

void give_to_user(const std::string& path, const std::string& user) {
  if (::geteuid() != 0) return;
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw && pw->pw_uid != 0) (void)::chown(path.c_str(), pw->pw_uid, pw->pw_gid);
}

}  // namespace mox::net
