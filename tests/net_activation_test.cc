// Tests for lib/net/activation.h and lib/net/addr.h: systemd socket
// activation, listening sockets, addresses, dropping privileges.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "net/activation.h"
#include "net/addr.h"

namespace mox::net {
namespace {

// Saves descriptors 3 and 4 (whatever the test runner has there) and
// restores them; the test may put its own sockets there meanwhile.
class SavedFds {
 public:
  SavedFds() {
    for (int i = 0; i < 2; i++) saved_[i] = ::fcntl(3 + i, F_DUPFD_CLOEXEC, 10);
  }
  ~SavedFds() {
    for (int i = 0; i < 2; i++) {
      if (saved_[i] >= 0) {
        ::dup2(saved_[i], 3 + i);
        ::close(saved_[i]);
      } else {
        ::close(3 + i);
      }
    }
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
  }

 private:
  int saved_[2] = {-1, -1};
};

void set_env(const std::string& pid, const std::string& fds, const char* names) {
  ::setenv("LISTEN_PID", pid.c_str(), 1);
  ::setenv("LISTEN_FDS", fds.c_str(), 1);
  if (names) ::setenv("LISTEN_FDNAMES", names, 1);
}

bool env_cleared() {
  return !std::getenv("LISTEN_PID") && !std::getenv("LISTEN_FDS") && !std::getenv("LISTEN_FDNAMES");
}

std::string our_pid() { return std::to_string(::getpid()); }

TEST(SystemdListenFdsTest, NotActivated) {
  SavedFds saved;
  auto r = systemd_listen_fds();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(SystemdListenFdsTest, TwoNamedSockets) {
  SavedFds saved;
  auto a0 = listen_tcp("127.0.0.1:0");
  auto b0 = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(a0.ok() && b0.ok());
  // Move them out of the way first: either may be on 3 or 4 already.
  auto a = std::optional<UniqueFd>(UniqueFd(::fcntl(a0->get(), F_DUPFD_CLOEXEC, 100)));
  auto b = std::optional<UniqueFd>(UniqueFd(::fcntl(b0->get(), F_DUPFD_CLOEXEC, 100)));
  a0->reset();
  b0->reset();
  // As systemd passes them: inheritable, on 3 and 4.
  ASSERT_EQ(::dup2(a->get(), 3), 3);
  ASSERT_EQ(::dup2(b->get(), 4), 4);
  set_env(our_pid(), "2", "smtp:imap");
  auto r = systemd_listen_fds();
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].fd, 3);
  EXPECT_EQ((*r)[0].name, "smtp");
  EXPECT_EQ((*r)[1].fd, 4);
  EXPECT_EQ((*r)[1].name, "imap");
  EXPECT_EQ(::fcntl(3, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(::fcntl(4, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(local_port(3), local_port(a->get()));
  EXPECT_TRUE(env_cleared());
}

TEST(SystemdListenFdsTest, NamesDefaultToUnknown) {
  SavedFds saved;
  auto a = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(::dup2(a->get(), 3), 3);
  set_env(our_pid(), "1", nullptr);
  auto r = systemd_listen_fds();
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "unknown");
}

TEST(SystemdListenFdsTest, OtherPid) {
  SavedFds saved;
  set_env("1", "1", nullptr);
  auto r = systemd_listen_fds();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("is not our pid"), std::string::npos) << r.error().message;
  EXPECT_TRUE(env_cleared());
}

TEST(SystemdListenFdsTest, Malformed) {
  SavedFds saved;
  for (auto [pid, fds, names] : std::vector<std::tuple<std::string, std::string, const char*>>{
           {"x", "1", nullptr},
           {"", "1", nullptr},
           {our_pid(), "", nullptr},
           {our_pid(), "-1", nullptr},
           {our_pid(), "1x", nullptr},
           {our_pid(), "99999999999", nullptr},
           {our_pid(), "2", "onlyone"},
       }) {
    set_env(pid, fds, names);
    auto r = systemd_listen_fds();
    EXPECT_FALSE(r.ok()) << pid << " " << fds;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kSyntax) << r.error().message;
    }
    EXPECT_TRUE(env_cleared());
  }
}

TEST(SystemdListenFdsTest, DescriptorNotOpen) {
  SavedFds saved;
  ::close(3);
  set_env(our_pid(), "1", nullptr);
  auto r = systemd_listen_fds();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("descriptor 3"), std::string::npos) << r.error().message;
}

TEST(SystemdListenFdsTest, Zero) {
  SavedFds saved;
  set_env(our_pid(), "0", nullptr);
  auto r = systemd_listen_fds();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

// Connects to 127.0.0.1 or ::1 at `port`.
UniqueFd connect_to(const char* ip, int port) {
  sockaddr_storage ss{};
  socklen_t len;
  if (std::string(ip).find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET6, ip, &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip, &a->sin_addr);
    len = sizeof *a;
  }
  UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return UniqueFd();
  return fd;
}

TEST(ListenTcpTest, Ipv4) {
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok()) << l.error().message;
  int port = local_port(l->get());
  ASSERT_GT(port, 0);
  EXPECT_EQ(local_ip(l->get()), "127.0.0.1");
  EXPECT_EQ(::fcntl(l->get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  int reuse = 0;
  socklen_t len = sizeof reuse;
  ASSERT_EQ(::getsockopt(l->get(), SOL_SOCKET, SO_REUSEADDR, &reuse, &len), 0);
  EXPECT_NE(reuse, 0);
  UniqueFd c = connect_to("127.0.0.1", port);
  ASSERT_TRUE(c.valid());
  UniqueFd s(::accept4(l->get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(remote_ip(s.get()), "127.0.0.1");
  EXPECT_EQ(local_ip(s.get()), "127.0.0.1");
  EXPECT_EQ(local_port(s.get()), port);
  EXPECT_EQ(remote_port(s.get()), local_port(c.get()));
}

TEST(ListenTcpTest, Ipv6) {
  auto l = listen_tcp("[::1]:0");
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback: " << l.error().message;
  int port = local_port(l->get());
  UniqueFd c = connect_to("::1", port);
  ASSERT_TRUE(c.valid());
  UniqueFd s(::accept4(l->get(), nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_EQ(remote_ip(s.get()), "::1");
  EXPECT_EQ(local_ip(s.get()), "::1");
}

TEST(ListenTcpTest, AllAddressesPrintsMappedIpv4AsIpv4) {
  auto l = listen_tcp(":0");
  ASSERT_TRUE(l.ok()) << l.error().message;
  int port = local_port(l->get());
  UniqueFd c = connect_to("127.0.0.1", port);
  ASSERT_TRUE(c.valid());
  UniqueFd s(::accept4(l->get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(remote_ip(s.get()), "127.0.0.1");
  EXPECT_EQ(local_ip(s.get()), "127.0.0.1");
}

TEST(ListenTcpTest, Malformed) {
  for (const char* a : {"1025", "::1:25", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:x",
                        "localhost:25", "[::1:25", "[::1]x:25", "127.0.0.1:-1"}) {
    auto l = listen_tcp(a);
    ASSERT_FALSE(l.ok()) << a;
    EXPECT_EQ(l.error().kind, ErrorKind::kSyntax) << a << ": " << l.error().message;
  }
}

TEST(ListenTcpTest, AddressInUse) {
  auto a = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  auto b = listen_tcp("127.0.0.1:" + std::to_string(local_port(a->get())));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("bind"), std::string::npos) << b.error().message;
}

TEST(AddrTest, NotASocket) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  UniqueFd r(p[0]), w(p[1]);
  EXPECT_EQ(remote_ip(r.get()), "");
  EXPECT_EQ(local_ip(r.get()), "");
  EXPECT_EQ(remote_port(r.get()), 0);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  EXPECT_EQ(remote_ip(a.get()), "");
  EXPECT_EQ(local_port(a.get()), 0);
}

TEST(DropPrivilegesTest, UnknownUser) {
  auto st = drop_privileges("mox-no-such-user");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(st.error().message, "user \"mox-no-such-user\" does not exist");
}

TEST(DropPrivilegesTest, RootRefused) {
  auto st = drop_privileges("root");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUser);
}

// As root, in a child process (it cannot come back): after dropping to
// "nobody" the ids are nobody's and root cannot be regained.
TEST(DropPrivilegesTest, DropsToUserInChild) {
  passwd* pw = ::getpwnam("nobody");
  if (::geteuid() != 0 || pw == nullptr) GTEST_SKIP() << "needs root and user nobody";
  uid_t uid = pw->pw_uid;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!drop_privileges("nobody").ok()) ::_exit(2);
    if (::getuid() != uid || ::geteuid() != uid) ::_exit(3);
    if (::setuid(0) == 0 || ::seteuid(0) == 0) ::_exit(4);
    gid_t groups[4];
    if (::getgroups(4, groups) != 0) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace mox::net
