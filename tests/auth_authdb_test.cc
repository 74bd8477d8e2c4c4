// Login attempts in auth.db (docs/DESIGN.md "Login attempts" TestLoginAttempt).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "auth/authdb.h"

namespace mox::auth {
namespace {

class AuthDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("authdb-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto db = open_auth_db(dir_.string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  LoginAttempt attempt(std::string account, std::string result, std::string ip = "10.0.0.1") {
    LoginAttempt a;
    a.account_name = std::move(account);
    a.login_address = a.account_name + "@example.com";
    a.remote_ip = std::move(ip);
    a.protocol = "submission";
    a.auth_mech = "plain";
    a.result = std::move(result);
    return a;
  }
  std::filesystem::path dir_;
  db::Db db_;
};

TEST_F(AuthDbTest, UpsertListCleanup) {
  const int64_t now = 1'800'000'000;
  ASSERT_TRUE(record_login_attempt(db_, attempt("mjl", "ok"), now - 31 * 86400).ok());
  ASSERT_TRUE(record_login_attempt(db_, attempt("mjl", "badcreds"), now - 10).ok());
  ASSERT_TRUE(record_login_attempt(db_, attempt("other", "ok"), now - 5).ok());
  ASSERT_TRUE(record_login_attempt(db_, attempt("mjl", "badcreds"), now).ok());  // same key
  auto all = list_login_attempts(db_, "", 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].account_name, "mjl");
  EXPECT_EQ((*all)[0].count, 2);
  EXPECT_EQ((*all)[0].first, now - 10);
  EXPECT_EQ((*all)[0].last, now);
  EXPECT_EQ(list_login_attempts(db_, "", 1)->size(), 1u);
  EXPECT_EQ(list_login_attempts(db_, "mjl", 0)->size(), 2u);
  auto n = cleanup_login_attempts(db_, now - 30 * 86400);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(list_login_attempts(db_, "", 0)->size(), 2u);
  ASSERT_TRUE(finish_account_removal_rows(db_, "mjl").ok());
  auto left = list_login_attempts(db_, "", 0);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].account_name, "other");
}

TEST_F(AuthDbTest, FailedRowsCapped) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(record_login_attempt(db_, attempt("mjl", "badcreds", "10.0.0." + std::to_string(i)),
                                     1000 + i, 3)
                    .ok());
  }
  ASSERT_TRUE(record_login_attempt(db_, attempt("mjl", "ok"), 2000, 3).ok());
  auto rows = list_login_attempts(db_, "mjl", 0);
  ASSERT_TRUE(rows.ok());
  int failed = 0;
  for (const auto& r : *rows) failed += r.result != "ok";
  EXPECT_EQ(failed, 3);  // the two oldest failures were removed
  EXPECT_EQ(rows->size(), 4u);
  for (const auto& r : *rows) EXPECT_NE(r.remote_ip, "10.0.0.0");
}

TEST_F(AuthDbTest, AccountRemovals) {
  ASSERT_TRUE(add_account_removal(db_, "b").ok());
  ASSERT_TRUE(add_account_removal(db_, "a").ok());
  ASSERT_TRUE(add_account_removal(db_, "a").ok());
  auto p = pending_account_removals(db_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(finish_account_removal_rows(db_, "a").ok());
  EXPECT_EQ(*pending_account_removals(db_), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace mox::auth
