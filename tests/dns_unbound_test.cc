// Tests for lib/dns/unbound.h without the internet: a hosts file answers
// locally, a forwarder on loopback that never answers times out, and bad
// settings are refused at construction.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "dns/unbound.h"
#include "util/unique_fd.h"

namespace mox::dns {
namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/mox-unbound-XXXXXX";
    int fd = ::mkstemp(tmpl);
    path = tmpl;
    ::close(fd);
    std::ofstream(path) << content;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

// A UDP socket on loopback that receives queries and never answers.
struct SilentServer {
  UniqueFd fd;
  int port = 0;
  SilentServer() : fd(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
};

UnboundOptions isolated(const std::string& hosts, int port) {
  UnboundOptions o;
  o.resolv_conf = "";
  o.hosts = hosts;
  o.trust_anchor = "";
  o.forwarders = {"127.0.0.1@" + std::to_string(port)};
  o.timeout = std::chrono::milliseconds(700);
  return o;
}

TEST(DnsUnbound, HostsFileAnswersLocally) {
  SilentServer silent;
  TempFile hosts("192.0.2.7 mx.hosts.test\n2001:db8::7 mx.hosts.test\n");
  auto r = make_unbound_resolver(isolated(hosts.path, silent.port));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto a = (*r)->a("mx.hosts.test");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->records.at(0), "192.0.2.7");
  EXPECT_FALSE(a->authentic);
  auto aaaa = (*r)->aaaa("MX.hosts.test.");
  ASSERT_TRUE(aaaa.ok()) << aaaa.error().message;
  EXPECT_EQ(aaaa->records.at(0), "2001:db8::7");
}

TEST(DnsUnbound, SilentForwarderIsATemporaryError) {
  SilentServer silent;
  TempFile hosts("192.0.2.7 mx.hosts.test\n");
  auto r = make_unbound_resolver(isolated(hosts.path, silent.port));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto start = std::chrono::steady_clock::now();
  auto txt = (*r)->txt("unanswered.example");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.error().kind, ErrorKind::kTemporary) << txt.error().message;
  EXPECT_LT(took, std::chrono::seconds(10));
  // The resolver stays usable after a timed-out lookup.
  EXPECT_TRUE((*r)->a("mx.hosts.test").ok());
}

TEST(DnsUnbound, BadSettingsRefused) {
  auto o = isolated("/nonexistent/hosts", 53);
  auto r = make_unbound_resolver(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUser);
  EXPECT_NE(r.error().message.find("/nonexistent/hosts"), std::string::npos);

  o.hosts = "";
  o.forwarders = {"not-an-address"};
  EXPECT_FALSE(make_unbound_resolver(o).ok());

  o.forwarders = {};
  o.resolv_conf = "/nonexistent/resolv.conf";
  EXPECT_FALSE(make_unbound_resolver(o).ok());
}

TEST(DnsUnbound, DefaultConstruction) {
  // The system settings: constructing needs no network.
  if (::access("/etc/resolv.conf", R_OK) != 0) GTEST_SKIP() << "no /etc/resolv.conf";
  auto r = make_unbound_resolver(UnboundOptions{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto bad = (*r)->txt("bad name.example");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kSyntax);
}

// A lookup that waits for a silent name server holds only its own caller:
// another thread's lookup (answered from the hosts file) comes back at once.
TEST(DnsUnbound, SlowLookupDoesNotHoldOthers) {
  SilentServer silent;
  TempFile hosts("192.0.2.7 mx.hosts.test\n");
  UnboundOptions o = isolated(hosts.path, silent.port);
  o.timeout = std::chrono::milliseconds(3000);
  auto r = make_unbound_resolver(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  Resolver& res = **r;
  std::thread slow([&res] { EXPECT_FALSE(res.txt("unanswered.example").ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  auto a = res.a("mx.hosts.test");
  auto took = std::chrono::steady_clock::now() - start;
  slow.join();
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_LT(took, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace mox::dns
