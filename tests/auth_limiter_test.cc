// Tests for lib/auth/limiter.* (per-IP failed-auth limiter in auth.db,
// mox-smtpd(8) "Authentication") and lib/auth/faildelay.* (per-connection
// slow-down).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "auth/authdb.h"
#include "auth/faildelay.h"
#include "auth/limiter.h"

namespace mox::auth {
namespace {

class LimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mox-limiter-test.XXXXXX";
    char* p = ::mkdtemp(tmpl);
    ASSERT_NE(p, nullptr);
    dir_ = p;
    auto db = open_auth_db(dir_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  bool allowed(std::string_view ip, int64_t now) {
    Result<bool> r = auth_allowed(db_, ip, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() && *r;
  }
  void fail(std::string_view ip, int64_t now, int n = 1, std::string_view account = "") {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(auth_failed(db_, ip, account, now).ok());
  }
  bool account_allowed(std::string_view account, std::string_view ip, int64_t now) {
    Result<bool> r = account_auth_allowed(db_, account, ip, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() && *r;
  }
  int64_t rows() {
    auto q = db_.prepare("SELECT COUNT(*) FROM AuthFailure");
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }

  std::string dir_;
  db::Db db_;
  static constexpr int64_t kNow = 1'800'000'000;
};

TEST_F(LimiterTest, Keys) {
  EXPECT_EQ(*limiter_key("192.0.2.1"), "4:c0000201");
  EXPECT_EQ(*limiter_key("::ffff:192.0.2.1"), "4:c0000201");              // mapped: IPv4
  EXPECT_EQ(*limiter_key("2001:db8:1:2:3:4:5:6"), "6:20010db800010002");  // the /64
  EXPECT_EQ(*limiter_key("2001:db8:1:2::9"), "6:20010db800010002");
  EXPECT_EQ(*limiter_key("fe80::1%eth0"), "6:fe80000000000000");
  EXPECT_EQ(*limiter_key("::1"), "6:0000000000000000");
  for (const char* bad : {"", "192.0.2", "192.0.2.256", "example.com", "1.2.3.4/32", ":::"}) {
    Result<std::string> k = limiter_key(bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.error().kind, ErrorKind::kSyntax);
  }
  EXPECT_FALSE(auth_allowed(db_, "bogus", kNow).ok());
  EXPECT_FALSE(auth_failed(db_, "bogus", "", kNow).ok());
}

// Exact IPv4: 10 per minute.
TEST_F(LimiterTest, TenPerMinute) {
  EXPECT_TRUE(allowed("192.0.2.1", kNow));
  fail("192.0.2.1", kNow, 9);
  EXPECT_TRUE(allowed("192.0.2.1", kNow));
  fail("192.0.2.1", kNow);
  EXPECT_FALSE(allowed("192.0.2.1", kNow));
  EXPECT_FALSE(allowed("192.0.2.1", kNow + 59));
  EXPECT_TRUE(allowed("192.0.2.1", kNow + 60));  // the minute has passed
  EXPECT_TRUE(allowed("192.0.2.2", kNow));       // a neighbour: 10 of 30 in the /26
}

// Exact IPv4: 50 per 24 hours, spread so the minute limit is never hit.
TEST_F(LimiterTest, FiftyPerDay) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(allowed("192.0.2.1", kNow + i * 60)) << i;
    fail("192.0.2.1", kNow + i * 60);
  }
  EXPECT_FALSE(allowed("192.0.2.1", kNow + 50 * 60));
  EXPECT_FALSE(allowed("192.0.2.1", kNow + kLimiterDay - 1));
  EXPECT_TRUE(allowed("192.0.2.1", kNow + kLimiterDay));  // the first one expired
}

// IPv4 /26: 30 per minute from neighbours.
TEST_F(LimiterTest, Slash26) {
  for (int i = 0; i < 30; ++i) fail("192.0.2." + std::to_string(i % 3 + 1), kNow);
  EXPECT_FALSE(allowed("192.0.2.60", kNow));  // same /26 (0–63)
  EXPECT_TRUE(allowed("192.0.2.64", kNow));   // next /26, same /21
  EXPECT_TRUE(allowed("192.0.2.1", kNow + 60));
}

// IPv4 /21: 90 per minute over several /26s.
TEST_F(LimiterTest, Slash21) {
  for (int i = 0; i < 90; ++i) fail("192.0." + std::to_string(i % 6) + ".1", kNow);
  EXPECT_FALSE(allowed("192.0.7.200", kNow));  // 192.0.0.0/21
  EXPECT_TRUE(allowed("192.0.8.1", kNow));
}

TEST_F(LimiterTest, IPv6Classes) {
  // /64 is the exact class: different hosts in it count together.
  for (int i = 0; i < 10; ++i) fail("2001:db8:0:1::" + std::to_string(i + 1), kNow);
  EXPECT_FALSE(allowed("2001:db8:0:1::ffff", kNow));
  EXPECT_TRUE(allowed("2001:db8:0:2::1", kNow));  // other /64: 10 of 30 in the /48
  for (int i = 0; i < 20; ++i) fail("2001:db8:0:" + std::to_string(i % 4 + 2) + "::1", kNow);
  EXPECT_FALSE(allowed("2001:db8:0:ff::1", kNow));  // /48 full
  EXPECT_TRUE(allowed("2001:db8:1::1", kNow));      // other /48, same /32
  for (int i = 0; i < 60; ++i) fail("2001:db8:" + std::to_string(i % 5 + 2) + "::1", kNow);
  EXPECT_FALSE(allowed("2001:db8:ffff::1", kNow));  // /32 full
  EXPECT_TRUE(allowed("2001:db9::1", kNow));
  EXPECT_TRUE(allowed("192.0.2.1", kNow));  // IPv4 keys do not mix
}

TEST_F(LimiterTest, MappedIPv4CountsAsIPv4) {
  fail("::ffff:192.0.2.1", kNow, 10);
  EXPECT_FALSE(allowed("192.0.2.1", kNow));
}

// Success forgets the address's own failures against the account that
// logged in, in every class, not its neighbours' (mox's Reset) nor its
// failures against other accounts.
TEST_F(LimiterTest, SuccessResets) {
  fail("192.0.2.1", kNow, 10, "alice");
  fail("192.0.2.2", kNow, 10);
  fail("192.0.2.3", kNow, 9);
  EXPECT_FALSE(allowed("192.0.2.1", kNow));
  EXPECT_TRUE(allowed("192.0.2.4", kNow));  // 29 of 30 in the /26
  ASSERT_TRUE(auth_succeeded(db_, "192.0.2.1", "alice").ok());
  EXPECT_TRUE(allowed("192.0.2.1", kNow));
  EXPECT_FALSE(allowed("192.0.2.2", kNow));
  EXPECT_EQ(rows(), 19);
}

// A user of one account cannot wipe their guesses at another by logging in
// to their own between guesses.
TEST_F(LimiterTest, SuccessKeepsFailuresAgainstOtherAccounts) {
  for (int i = 0; i < 9; ++i) {
    fail("192.0.2.1", kNow, 1, "bob");
    ASSERT_TRUE(auth_succeeded(db_, "192.0.2.1", "mallory").ok());
  }
  fail("192.0.2.1", kNow, 1, "");  // an unknown username counts too
  EXPECT_FALSE(allowed("192.0.2.1", kNow));
  ASSERT_TRUE(auth_succeeded(db_, "192.0.2.1", "mallory").ok());
  EXPECT_FALSE(allowed("192.0.2.1", kNow));
  EXPECT_EQ(rows(), 10);
}

// Failures against one account from many addresses lock it for addresses
// that never logged in to it; its owner's address keeps working.
TEST_F(LimiterTest, PerAccountLimit) {
  for (int i = 0; i < kAccountPerMinute - 1; ++i) {
    fail("198.51.100." + std::to_string(i + 1), kNow, 1, "alice");
  }
  EXPECT_TRUE(account_allowed("alice", "203.0.113.9", kNow));
  fail("203.0.113.200", kNow, 1, "alice");
  EXPECT_FALSE(account_allowed("alice", "203.0.113.9", kNow));
  EXPECT_TRUE(account_allowed("bob", "203.0.113.9", kNow));
  EXPECT_TRUE(account_allowed("", "203.0.113.9", kNow));
  EXPECT_TRUE(account_allowed("alice", "203.0.113.9", kNow + kLimiterMinute));  // minute over
  auto ins = db_.prepare(
      "INSERT INTO LoginAttempt (Key, Last, First, Count, AccountName, "
      "LoginAddress, RemoteIP, LocalIP, TLS, TLSPubKeyFingerprint, Protocol, "
      "UserAgent, AuthMech, Result) VALUES (x'01', 1, 1, 1, 'alice', "
      "'alice@example.org', '203.0.113.7', '', '', '', 'imap', '', 'plain', 'ok')");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->run().ok());
  EXPECT_TRUE(account_allowed("alice", "203.0.113.7", kNow));  // the owner's address
  EXPECT_FALSE(account_allowed("alice", "203.0.113.8", kNow));
}

TEST_F(LimiterTest, Pruning) {
  fail("192.0.2.1", kNow, 3);
  fail("198.51.100.1", kNow, 2);
  fail("192.0.2.9", kNow + kLimiterDay);  // prunes the old rows of its /21 only
  EXPECT_EQ(rows(), 3);
  Result<int64_t> n = prune_auth_failures(db_, kNow + kLimiterDay);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(rows(), 1);
}

TEST(FailureDelay, Schedule) {
  using std::chrono::milliseconds;
  FailureDelay d(milliseconds(7));
  EXPECT_EQ(d.delay_before_next(), milliseconds(0));
  for (int i = 0; i < 3; ++i) d.failed();
  EXPECT_TRUE(d.slow());
  EXPECT_EQ(d.delay_before_next(), milliseconds(0));  // only after more than 3
  d.failed();
  EXPECT_EQ(d.delay_before_next(), milliseconds(7));
  d.failed();
  EXPECT_EQ(d.delay_before_next(), milliseconds(14));
  d.succeeded();
  EXPECT_EQ(d.failures(), 0);
  EXPECT_FALSE(d.slow());
  EXPECT_EQ(d.delay_before_next(), milliseconds(0));

  FailureDelay prod;  // one second per failure beyond 3
  for (int i = 0; i < 5; ++i) prod.failed();
  EXPECT_EQ(prod.delay_before_next(), std::chrono::seconds(2));
  for (int i = 0; i < 5000; ++i) prod.failed();
  EXPECT_EQ(prod.failures(), FailureDelay::kMaxCounted);
}

}  // namespace
}  // namespace mox::auth
