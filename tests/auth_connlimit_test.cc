// Tests for lib/auth/ipclass.* (the classes of a remote address) and
// lib/auth/connlimit.* (per-IP connection limits in auth.db).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "auth/authdb.h"
#include "auth/connlimit.h"
#include "auth/ipclass.h"
#include "store_test_util.h"

namespace mox::auth {
namespace {

IPAddr::KeyRange range(std::string_view ip, size_t c) {
  auto a = IPAddr::parse(ip);
  EXPECT_TRUE(a.ok()) << ip;
  return a->range(kIPClasses[c]);
}

TEST(IPClass, KeysAndRanges) {
  auto r = range("192.0.2.77", 0);
  EXPECT_EQ(r.lo, "4:c000024d");
  EXPECT_EQ(r.hi, "4:c000024d");
  r = range("192.0.2.77", 1);  // /26: .64-.127
  EXPECT_EQ(r.lo, "4:c0000240");
  EXPECT_EQ(r.hi, "4:c000027f");
  r = range("192.0.2.77", 2);  // /21: 192.0.0.0-192.0.7.255
  EXPECT_EQ(r.lo, "4:c0000000");
  EXPECT_EQ(r.hi, "4:c00007ff");
  r = range("2001:db8:1:2:3:4:5:6", 0);  // /64
  EXPECT_EQ(r.lo, "6:20010db800010002");
  EXPECT_EQ(r.hi, "6:20010db800010002");
  r = range("2001:db8:1:2::9", 1);  // /48
  EXPECT_EQ(r.lo, "6:20010db800010000");
  EXPECT_EQ(r.hi, "6:20010db80001ffff");
  r = range("2001:db8:1:2::9", 2);  // /32
  EXPECT_EQ(r.lo, "6:20010db800000000");
  EXPECT_EQ(r.hi, "6:20010db8ffffffff");
  EXPECT_EQ(IPAddr::parse("::ffff:192.0.2.77")->key(), "4:c000024d");
  EXPECT_TRUE(IPAddr::parse("::ffff:192.0.2.77")->v4());
  for (const char* bad : {"", "192.0.2", "host.example", "1.2.3.4/32", ":::"}) {
    auto a = IPAddr::parse(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().kind, ErrorKind::kSyntax);
  }
}

TEST(IPClass, Loopback) {
  for (const char* ip : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IPAddr::parse(ip)->loopback()) << ip;
  }
  for (const char* ip :
       {"128.0.0.1", "::2", "::", "2001:db8::1", "::ffff:10.0.0.1", "fe80::1%lo"}) {
    EXPECT_FALSE(IPAddr::parse(ip)->loopback()) << ip;
  }
}

TEST(ConnLimits, FromConfig) {
  config::ConnectionLimits c;
  ConnLimits l = conn_limits(c);
  EXPECT_EQ(l.per_minute, 300);
  EXPECT_EQ(l.concurrent, 30);
  EXPECT_FALSE(l.limit_loopback);
  c.rate_per_minute = -1;
  c.concurrent = 5;
  c.limit_loopback = true;
  l = conn_limits(c);
  EXPECT_EQ(l.per_minute, 0);
  EXPECT_EQ(l.concurrent, 5);
  EXPECT_TRUE(l.limit_loopback);
}

TEST(Process, SelfIsAliveOthersNot) {
  ProcessId me = ProcessId::self();
  EXPECT_EQ(me.pid, ::getpid());
  EXPECT_GT(me.start, 0);
  EXPECT_TRUE(process_alive(me));
  ProcessId reused = me;  // the same pid, another start: a reused pid
  reused.start += 1;
  EXPECT_FALSE(process_alive(reused));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(process_alive(ProcessId{child, me.start}));
  EXPECT_FALSE(process_alive(ProcessId{child, 0}));
}

class ConnLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.empty());
    auto db = open_auth_db(dir_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }

  Admission admit(std::string_view ip, int64_t now, std::string_view service = "smtp") {
    auto r = admit_connection(db_, service, ip, limits_, owner_, now,
                              [this](const ProcessId& p) { return !dead_.count(p.pid); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Admission{};
  }
  ConnRefusal refused(std::string_view ip, int64_t now, std::string_view service = "smtp") {
    return admit(ip, now, service).refused;
  }
  // `n` admissions that must all pass; their IDs.
  std::vector<int64_t> open(std::string_view ip, int n, int64_t now) {
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) {
      Admission a = admit(ip, now);
      EXPECT_EQ(a.refused, ConnRefusal::kNone) << ip << " #" << i;
      ids.push_back(a.id);
    }
    return ids;
  }
  void close(int64_t id) { ASSERT_TRUE(close_connection(db_, id).ok()); }
  int64_t rows() {
    auto q = db_.prepare("SELECT COUNT(*) FROM Connection");
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }

  testutil::TempDir tmp_;
  const std::string dir_ = tmp_.path();
  db::Db db_;
  ConnLimits limits_{1000, 3, true};
  ProcessId owner_{100, 5};
  std::set<int64_t> dead_;
  static constexpr int64_t kNow = 1'800'000'000;
};

// Open connections: 3 per IPv4 address; closing one frees its place.
TEST_F(ConnLimitTest, Concurrent) {
  auto ids = open("192.0.2.1", 3, kNow);
  Admission a = admit("192.0.2.1", kNow);
  EXPECT_EQ(a.refused, ConnRefusal::kConcurrent);
  EXPECT_EQ(a.ip_class, 0u);
  EXPECT_EQ(a.count, 3);
  EXPECT_EQ(a.limit, 3);
  EXPECT_EQ(refused("192.0.2.2", kNow), ConnRefusal::kNone);  // a neighbour
  close(ids[1]);
  EXPECT_EQ(refused("192.0.2.1", kNow + 1), ConnRefusal::kNone);
  EXPECT_EQ(refused("192.0.2.1", kNow + 1), ConnRefusal::kConcurrent);
  // Another service counts its own connections.
  EXPECT_EQ(refused("192.0.2.1", kNow + 1, "imap"), ConnRefusal::kNone);
}

// Wider classes: 3x for the IPv4 /26, 9x for the /21.
TEST_F(ConnLimitTest, ConcurrentClasses) {
  for (int i = 1; i <= 3; ++i) open("192.0.2." + std::to_string(i), 3, kNow);
  Admission a = admit("192.0.2.60", kNow);  // same /26 (0-63): 9 open
  EXPECT_EQ(a.refused, ConnRefusal::kConcurrent);
  EXPECT_EQ(a.ip_class, 1u);
  EXPECT_EQ(a.limit, 9);
  for (int n : {0, 1, 3, 4, 5, 6}) open("192.0." + std::to_string(n) + ".1", 3, kNow);
  a = admit("192.0.7.1", kNow);  // 192.0.0.0/21: 27 open
  EXPECT_EQ(a.refused, ConnRefusal::kConcurrent);
  EXPECT_EQ(a.ip_class, 2u);
  EXPECT_EQ(a.limit, 27);
  EXPECT_EQ(refused("192.0.8.1", kNow), ConnRefusal::kNone);  // next /21
}

// IPv6 is counted by /64, /48 and /32.
TEST_F(ConnLimitTest, IPv6Prefixes) {
  open("2001:db8:0:1::1", 1, kNow);
  open("2001:db8:0:1::2", 1, kNow);
  open("2001:db8:0:1:ffff::3", 1, kNow);
  EXPECT_EQ(refused("2001:db8:0:1::4", kNow), ConnRefusal::kConcurrent);  // same /64
  open("2001:db8:0:2::1", 3, kNow);
  open("2001:db8:0:3::1", 3, kNow);
  Admission a = admit("2001:db8:0:4::1", kNow);  // same /48
  EXPECT_EQ(a.refused, ConnRefusal::kConcurrent);
  EXPECT_EQ(a.ip_class, 1u);
  EXPECT_EQ(refused("2001:db8:1::1", kNow), ConnRefusal::kNone);  // other /48
  EXPECT_EQ(refused("192.0.2.1", kNow), ConnRefusal::kNone);      // IPv4 keys do not mix
}

// New connections per minute, a sliding window; refused ones do not count.
TEST_F(ConnLimitTest, RatePerMinute) {
  limits_ = {4, 0, true};
  for (int i = 0; i < 4; ++i) close(open("192.0.2.1", 1, kNow + i)[0]);
  Admission a = admit("192.0.2.1", kNow + 10);
  EXPECT_EQ(a.refused, ConnRefusal::kRate);
  EXPECT_EQ(a.count, 4);
  EXPECT_EQ(a.limit, 4);
  EXPECT_EQ(refused("192.0.2.1", kNow + 59), ConnRefusal::kRate);
  EXPECT_EQ(refused("192.0.2.1", kNow + 60), ConnRefusal::kNone);  // the first has passed
  EXPECT_EQ(refused("192.0.2.1", kNow + 60), ConnRefusal::kRate);
  EXPECT_EQ(refused("192.0.2.1", kNow + 62), ConnRefusal::kNone);
  EXPECT_EQ(refused("192.0.2.9", kNow + 62), ConnRefusal::kNone);  // its own 4 of 12 in the /26
  // Closed rows past the minute are pruned as the address connects.
  EXPECT_LE(rows(), 5);
}

// A process that died (killed, crashed) without closing its connections:
// its rows give way when they would refuse a connection.
TEST_F(ConnLimitTest, DeadProcessRowsAreReaped) {
  open("192.0.2.1", 3, kNow);
  EXPECT_EQ(refused("192.0.2.1", kNow + 5), ConnRefusal::kConcurrent);
  dead_.insert(owner_.pid);
  owner_ = ProcessId{200, 7};
  EXPECT_EQ(refused("192.0.2.1", kNow + 5), ConnRefusal::kNone);
  EXPECT_EQ(rows(), 1);
  open("192.0.2.1", 2, kNow + 5);
  EXPECT_EQ(refused("192.0.2.1", kNow + 5), ConnRefusal::kConcurrent);
}

// prune_connections forgets what no limit needs: closed rows past the
// minute and rows of dead processes, of every address.
TEST_F(ConnLimitTest, Prune) {
  auto ids = open("192.0.2.1", 2, kNow);
  close(ids[0]);
  open("198.51.100.1", 1, kNow);
  owner_ = ProcessId{300, 1};
  open("203.0.113.1", 1, kNow);
  dead_.insert(100);
  auto n =
      prune_connections(db_, kNow + 60, [this](const ProcessId& p) { return !dead_.count(p.pid); });
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(rows(), 1);
}

// Loopback addresses are exempt unless limit_loopback; no limits: no rows.
TEST_F(ConnLimitTest, Exempt) {
  limits_.limit_loopback = false;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(admit("127.0.0.1", kNow).id, 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(refused("::1", kNow), ConnRefusal::kNone);
  limits_ = {0, 0, true};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(refused("192.0.2.1", kNow), ConnRefusal::kNone);
  EXPECT_EQ(rows(), 0);
  limits_ = {0, 3, true};
  open("127.0.0.1", 3, kNow);
  EXPECT_EQ(refused("127.0.0.1", kNow), ConnRefusal::kConcurrent);
}

// ConnLimiter: slots are counted across limiters (processes) sharing the
// data directory, released when destroyed, and a failing database admits.
TEST_F(ConnLimitTest, LimiterSlots) {
  ConnLimits l{0, 2, true};
  ConnLimiter a(dir_, "imap", l, "test"), b(dir_, "imap", l, "test");
  auto s1 = a.admit("192.0.2.1");
  ASSERT_TRUE(s1);
  {
    auto s2 = b.admit("192.0.2.1");
    ASSERT_TRUE(s2);
    EXPECT_FALSE(a.admit("192.0.2.1"));
    EXPECT_FALSE(b.admit("192.0.2.1"));
  }
  auto s3 = b.admit("192.0.2.1");
  EXPECT_TRUE(s3);
  EXPECT_FALSE(a.admit("192.0.2.1"));
  EXPECT_TRUE(a.admit(""));  // no IP address (a pipe): nothing to limit
  ConnLimiter broken("/dev/null/nowhere", "imap", l, "test");
  EXPECT_TRUE(broken.admit("192.0.2.1"));
  EXPECT_TRUE(broken.admit("192.0.2.1"));
  EXPECT_TRUE(broken.admit("192.0.2.1"));
}

// Processes admitting at once never exceed the limit together.
TEST_F(ConnLimitTest, ConcurrentProcesses) {
  constexpr int kProcs = 4, kEach = 5;
  ConnLimits l{0, 7, true};
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto db = open_auth_db(dir_);
      if (!db) ::_exit(2);
      int admitted = 0;
      for (int i = 0; i < kEach; ++i) {
        auto r = admit_connection(*db, "smtp", "192.0.2.1", l, ProcessId::self(), kNow);
        if (!r) ::_exit(3);
        admitted += r->refused == ConnRefusal::kNone;
      }
      ::pause();  // stay alive: the connections stay open
      ::_exit(10 + admitted);
    }
    pids.push_back(pid);
  }
  // Wait until every process has tried all its connections.
  int64_t total = 0;
  for (int tries = 0; tries < 500; ++tries) {
    auto q = db_.prepare("SELECT COUNT(*) FROM Connection");
    ASSERT_TRUE(q->step().ok());
    total = q->col_int(0);
    if (total >= 7) break;
    ::usleep(10'000);
  }
  ::usleep(200'000);  // time for any excess admission to show
  auto q = db_.prepare("SELECT COUNT(*) FROM Connection WHERE Pid != 0");
  ASSERT_TRUE(q->step().ok());
  EXPECT_EQ(q->col_int(0), 7);
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  // The processes are gone: their rows give way.
  auto r = admit_connection(db_, "smtp", "192.0.2.1", l, ProcessId::self(), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->refused, ConnRefusal::kNone);
}

}  // namespace
}  // namespace mox::auth
