// Tests for lib/store/recent.* and Mailbox.RecentUID (account.cc migration
// 8): each UID is claimed once, by one of any number of claimers, and an
// account migrated to version 9 has no recent messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "store/deliver.h"
#include "store/messages.h"
#include "store/recent.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::TempDir;

class RecentTest : public testutil::AccountTest {
 protected:
  void add() {
    DeliverRequest req;
    req.mailbox = "Inbox";
    req.source_data = "Subject: r\r\n\r\nx\r\n";
    ASSERT_TRUE(deliver(*acc_, req).ok());
  }
};

TEST_F(RecentTest, ClaimedOnce) {
  add();
  add();
  EXPECT_EQ(*recent_uid(*acc_, inbox_), 0);
  auto c = claim_recent(*acc_, inbox_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->after, 0);
  EXPECT_EQ(c->upto, 2);
  c = claim_recent(*acc_, inbox_);  // nothing new: nothing claimed
  EXPECT_EQ(c->after, c->upto);
  add();
  c = claim_recent(*acc_, inbox_);
  EXPECT_EQ(c->after, 2);
  EXPECT_EQ(c->upto, 3);
  EXPECT_EQ(*recent_uid(*acc_, inbox_), 3);
  EXPECT_EQ(claim_recent(*acc_, 999).error().kind, ErrorKind::kNotFound);
}

// Claimers on their own connections to the database (as processes are):
// the UIDs they get add up to each UID once.
TEST_F(RecentTest, ConcurrentClaimsNeverOverlap) {
  std::vector<std::vector<int64_t>> got(4);
  std::atomic<bool> stop{false};
  std::vector<std::thread> ts;
  for (size_t t = 0; t < got.size(); ++t) {
    ts.emplace_back([&, t] {
      auto st = AccountStore::open(dir_, false);
      ASSERT_TRUE(st.ok());
      while (true) {
        bool last = stop.load();
        auto c = claim_recent(*st, inbox_);
        ASSERT_TRUE(c.ok()) << c.error().message;
        for (int64_t u = c->after + 1; u <= c->upto; ++u) got[t].push_back(u);
        if (last) break;
      }
    });
  }
  for (int i = 0; i < 40; ++i) add();
  stop = true;
  for (auto& t : ts) t.join();
  std::vector<int64_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> want;
  for (int64_t u = 1; u <= 40; ++u) want.push_back(u);
  EXPECT_EQ(all, want);
}

// Before version 9 nothing was recent: the messages there stay so.
TEST_F(RecentTest, MigrationLeavesNothingRecent) {
  add();
  add();
  ASSERT_TRUE(acc_->db()
                  .exec(std::string("DROP TABLE ExpungedUID; ") + testutil::kDropSince10 +
                        "ALTER TABLE Mailbox DROP COLUMN RecentUID; PRAGMA user_version = 8")
                  .ok());
  acc_.reset();
  auto st = AccountStore::open(dir_, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  acc_.emplace(std::move(*st));
  EXPECT_EQ(*recent_uid(*acc_, inbox_), 2);
  auto c = claim_recent(*acc_, inbox_);
  EXPECT_EQ(c->after, c->upto);
}

}  // namespace
}  // namespace mox::store
