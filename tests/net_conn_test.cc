// Tests for lib/net/conn.h without TLS: reads, writes, timeouts, end of
// stream, pipes as inetd would pass them, closing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "net/activation.h"
#include "net/conn.h"
#include "net_test_util.h"

namespace mox::net {
namespace {

using namespace std::chrono_literals;
using mox::testing::read_n;
using mox::testing::socket_pair;

TEST(ConnTest, ReadWrite) {
  auto p = socket_pair();
  ASSERT_TRUE(p.client.write_all("EHLO x\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.server, 8), "EHLO x\r\n");
  ASSERT_TRUE(p.server.write_all("250 ok\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.client, 8), "250 ok\r\n");
  EXPECT_FALSE(p.server.tls());
  EXPECT_EQ(p.server.tls_description(), "");
  EXPECT_EQ(p.server.peer_certificate(), nullptr);
  EXPECT_FALSE(p.server.tls_exporter_channel_binding().ok());
}

TEST(ConnTest, ReadTimeout) {
  auto p = socket_pair();
  char buf[16];
  auto start = std::chrono::steady_clock::now();
  auto r = p.server.read_some(buf, sizeof buf, 100ms);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(r.error().message, "timeout");
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 2s);
  // The connection is still usable afterwards.
  ASSERT_TRUE(p.client.write_all("x", 1s).ok());
  EXPECT_EQ(read_n(p.server, 1), "x");
}

TEST(ConnTest, ZeroTimeoutWithDataReady) {
  auto p = socket_pair();
  ASSERT_TRUE(p.client.write_all("abc", 1s).ok());
  char buf[16];
  auto r = p.server.read_some(buf, sizeof buf, 0ms);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::string(buf, *r), "abc");
}

TEST(ConnTest, Eof) {
  auto p = socket_pair();
  ASSERT_TRUE(p.client.write_all("bye", 1s).ok());
  p.client.shutdown();
  EXPECT_EQ(read_n(p.server, 3), "bye");
  char buf[16];
  auto r = p.server.read_some(buf, sizeof buf, 1s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 0u);
}

// Also proves that no SIGPIPE kills the test (it is not ignored here).
TEST(ConnTest, WriteToClosedPeerIsAnError) {
  auto p = socket_pair();
  p.client.shutdown();
  auto st = p.server.write_all(std::string(1 << 20, 'x'), 1s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kPermanent);
  EXPECT_NE(st.error().message.find("write"), std::string::npos);
}

TEST(ConnTest, WriteTimeoutWhenPeerDoesNotRead) {
  auto p = socket_pair();
  auto st = p.server.write_all(std::string(16 << 20, 'x'), 100ms);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "timeout");
}

TEST(ConnTest, LargeWriteWhilePeerReads) {
  auto p = socket_pair();
  std::string data(4 << 20, 'm');
  std::thread reader([&] { EXPECT_EQ(read_n(p.client, data.size()), data); });
  ASSERT_TRUE(p.server.write_all(data, 10s).ok());
  reader.join();
}

TEST(ConnTest, PipesAsInetdPassesThem) {
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  Conn c{UniqueFd(in[0]), UniqueFd(out[1])};
  UniqueFd peer_write(in[1]), peer_read(out[0]);
  EXPECT_EQ(c.remote_ip(), "");
  EXPECT_EQ(c.local_ip(), "");
  EXPECT_EQ(c.remote_port(), 0);
  ASSERT_EQ(::write(peer_write.get(), "NOOP\r\n", 6), 6);
  char buf[16];
  auto r = c.read_some(buf, sizeof buf, 1s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, *r), "NOOP\r\n");
  ASSERT_TRUE(c.write_all("250 ok\r\n", 1s).ok());
  ASSERT_EQ(::read(peer_read.get(), buf, sizeof buf), 8);
  peer_write.reset();
  r = c.read_some(buf, sizeof buf, 1s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
}

// Conn::inetd() on fd 0 and 1 (in a child process, to leave the test
// runner's stdout alone): after shutdown() the numbers stay taken by
// /dev/null.
TEST(ConnTest, InetdShutdownKeepsStdioTaken) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    Conn c = Conn::inetd();
    char buf[8];
    auto r = c.read_some(buf, sizeof buf, 5s);
    if (!r.ok() || std::string(buf, *r) != "hi") ::_exit(2);
    if (!c.write_all("ho", 5s).ok()) ::_exit(3);
    c.shutdown();
    int fl0 = ::fcntl(0, F_GETFL), fl1 = ::fcntl(1, F_GETFL);
    ::_exit(fl0 >= 0 && fl1 >= 0 ? 0 : 4);
  }
  ::close(in[0]);
  ::close(out[1]);
  ASSERT_EQ(::write(in[1], "hi", 2), 2);
  char buf[8];
  ASSERT_EQ(::read(out[0], buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "ho");
  // The child's shutdown closed its end: EOF for us.
  EXPECT_EQ(::read(out[0], buf, sizeof buf), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ::close(in[1]);
  ::close(out[0]);
}

TEST(ConnTest, MovedConnStillWorks) {
  auto p = socket_pair();
  Conn moved = std::move(p.server);
  ASSERT_TRUE(p.client.write_all("x", 1s).ok());
  EXPECT_EQ(read_n(moved, 1), "x");
}

}  // namespace
}  // namespace mox::net
