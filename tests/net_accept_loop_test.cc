// Tests for lib/net/accept_loop.h: concurrent connections in threads, the
// connection limit, stopping by signal and by stop(), draining.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "net/accept_loop.h"
#include "net/activation.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net_test_util.h"

namespace mox::net {
namespace {

using namespace std::chrono_literals;

UniqueFd connect_port(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return UniqueFd();
  return fd;
}

// Talks to an echo-ish handler: sends "hi\n", expects "ok\n".
void client_roundtrip(int port) {
  UniqueFd fd = connect_port(port);
  ASSERT_TRUE(fd.valid());
  Conn c(std::move(fd));
  ASSERT_TRUE(c.write_all("hi\n", 5s).ok());
  EXPECT_EQ(testing::read_n(c, 3), "ok\n");
}

// Counts concurrently running handlers.
struct Gauge {
  std::mutex mu;
  std::condition_variable cv;
  int now = 0, max = 0, total = 0;
  void enter() {
    std::lock_guard l(mu);
    now++, total++;
    max = std::max(max, now);
    cv.notify_all();
  }
  void leave() {
    std::lock_guard l(mu);
    now--;
  }
  // Waits until `n` handlers run at once (or times out).
  bool wait_for_concurrent(int n) {
    std::unique_lock l(mu);
    return cv.wait_for(l, 20s, [&] { return max >= n; });
  }
};

void serve_one(UniqueFd fd, Gauge* g, std::function<void()> middle) {
  Conn c(std::move(fd));
  EXPECT_FALSE(c.remote_ip().empty());
  g->enter();
  EXPECT_EQ(testing::read_n(c, 3), "hi\n");
  if (middle) middle();
  EXPECT_TRUE(c.write_all("ok\n", 5s).ok());
  g->leave();
  c.shutdown();
}

TEST(AcceptLoopTest, TwentyConcurrentThenSigterm) {
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  int port = local_port(l->get());
  AcceptLoopOptions opts;
  opts.max_conns = 32;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  Gauge g;
  // Every handler waits until all 20 run at once: proves one thread each.
  auto all_there = [&] { EXPECT_TRUE(g.wait_for_concurrent(20)); };
  Status result = internal_error("not run");
  std::thread server([&] {
    result = (*loop)->run({l->get()}, [&](UniqueFd fd, int lfd) {
      EXPECT_EQ(lfd, l->get());
      serve_one(std::move(fd), &g, all_there);
    });
  });
  std::vector<std::thread> clients;
  for (int i = 0; i < 20; i++) clients.emplace_back(client_roundtrip, port);
  for (auto& t : clients) t.join();
  EXPECT_EQ(g.total, 20);
  EXPECT_EQ(g.max, 20);
  // The loop is running, so its handler is installed: SIGTERM stops it.
  ASSERT_EQ(::raise(SIGTERM), 0);
  server.join();
  EXPECT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ((*loop)->active(), 0);
  struct sigaction now {};
  ::sigaction(SIGTERM, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);  // restored
}

TEST(AcceptLoopTest, ConnectionLimit) {
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  int port = local_port(l->get());
  AcceptLoopOptions opts;
  opts.max_conns = 2;
  opts.stop_on_signals = false;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  Gauge g;
  std::thread server([&] {
    auto st = (*loop)->run({l->get()}, [&](UniqueFd fd, int) {
      serve_one(std::move(fd), &g, [] { std::this_thread::sleep_for(50ms); });
    });
    EXPECT_TRUE(st.ok());
  });
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; i++) clients.emplace_back(client_roundtrip, port);
  for (auto& t : clients) t.join();
  (*loop)->stop();
  server.join();
  EXPECT_EQ(g.total, 6);
  EXPECT_LE(g.max, 2);
}

TEST(AcceptLoopTest, SeveralListeners) {
  auto a = listen_tcp("127.0.0.1:0");
  auto b = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(a.ok() && b.ok());
  AcceptLoopOptions opts;
  opts.stop_on_signals = false;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  Gauge g;
  std::mutex mu;
  std::vector<int> seen;
  std::thread server([&] {
    auto st = (*loop)->run({a->get(), b->get()}, [&](UniqueFd fd, int lfd) {
      {
        std::lock_guard lock(mu);
        seen.push_back(lfd);
      }
      serve_one(std::move(fd), &g, nullptr);
    });
    EXPECT_TRUE(st.ok());
  });
  client_roundtrip(local_port(a->get()));
  client_roundtrip(local_port(b->get()));
  (*loop)->stop();
  server.join();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{std::min(a->get(), b->get()), std::max(a->get(), b->get())}));
}

TEST(AcceptLoopTest, StopBeforeRun) {
  AcceptLoopOptions opts;
  opts.stop_on_signals = false;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  (*loop)->stop();
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE((*loop)->run({l->get()}, [](UniqueFd, int) {}).ok());
}

TEST(AcceptLoopTest, WaitsForRunningConnections) {
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  AcceptLoopOptions opts;
  opts.stop_on_signals = false;
  opts.drain_timeout = 10s;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  std::atomic<bool> started{false}, finished{false};
  std::thread server([&] {
    auto st = (*loop)->run({l->get()}, [&](UniqueFd, int) {
      started = true;
      std::this_thread::sleep_for(300ms);
      finished = true;
    });
    EXPECT_TRUE(st.ok());
  });
  UniqueFd c = connect_port(local_port(l->get()));
  while (!started) std::this_thread::sleep_for(5ms);
  (*loop)->stop();
  server.join();
  EXPECT_TRUE(finished);
  EXPECT_EQ((*loop)->active(), 0);
}

TEST(AcceptLoopTest, DrainTimeoutLeavesStragglersRunning) {
  auto l = listen_tcp("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  AcceptLoopOptions opts;
  opts.stop_on_signals = false;
  opts.drain_timeout = 50ms;
  auto loop = AcceptLoop::create(opts);
  ASSERT_TRUE(loop.ok());
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto started = std::make_shared<std::atomic<bool>>(false);
  std::thread server([&] {
    auto st = (*loop)->run({l->get()}, [release, started](UniqueFd, int) {
      *started = true;
      while (!*release) std::this_thread::sleep_for(5ms);
    });
    EXPECT_TRUE(st.ok());
  });
  UniqueFd c = connect_port(local_port(l->get()));
  while (!*started) std::this_thread::sleep_for(5ms);
  (*loop)->stop();
  server.join();  // returns although the connection still runs
  EXPECT_EQ((*loop)->active(), 1);
  *release = true;
  for (int i = 0; i < 400 && (*loop)->active() != 0; i++) std::this_thread::sleep_for(5ms);
  EXPECT_EQ((*loop)->active(), 0);
}

TEST(AcceptLoopTest, BadMaxConns) {
  AcceptLoopOptions opts;
  opts.max_conns = 0;
  EXPECT_FALSE(AcceptLoop::create(opts).ok());
}

}  // namespace
}  // namespace mox::net
