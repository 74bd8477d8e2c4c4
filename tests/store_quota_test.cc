// Tests for lib/store/quota.* and the DiskUsage row (account.cc migration
// 5): the usage follows every change to the account's messages, deliveries
// and copies over the quota are refused in the transaction that would add
// them and leave nothing behind, and processes or threads delivering at the
// limit together never take the account over it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/check.h"
#include "store/deliver.h"
#include "store/deliver_internal.h"
#include "store/messages.h"
#include "store/quota.h"
#include "store/shared.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::TempDir;

// Every message of these tests has this many bytes.
constexpr int64_t kSize = 1000;

std::string message(int i) {
  std::string m = "Subject: m" + std::to_string(i) + "\r\n\r\n";
  return m + std::string(static_cast<size_t>(kSize) - m.size() - 2, 'x') + "\r\n";
}

class QuotaTest : public testutil::AccountTest {
 protected:
  Result<Delivered> add(int i, int64_t quota, const std::string& mailbox = "Inbox") {
    std::string m = message(i);
    DeliverRequest req;
    req.mailbox = mailbox;
    req.source_data = m;
    req.quota = quota;
    return deliver(*acc_, req);
  }

  int64_t usage() {
    auto u = disk_usage(*acc_);
    EXPECT_TRUE(u.ok()) << u.error().message;
    return u.ok() ? *u : -1;
  }

  int64_t mailbox_id(const std::string& name) { return (*find_mailbox(*acc_, name))->id; }

  void mark_deleted(int64_t mailbox, std::vector<int64_t> uids) {
    MessageFlags del;
    del.bits = kFlagDeleted;
    ASSERT_TRUE(store_flags(*acc_, mailbox, uids, FlagOp::kAdd, del, std::nullopt).ok());
  }

  void expect_clean() {
    auto report = check_account(*acc_, false);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->clean()) << report->orphan_files.size() << " orphan files";
  }
};

TEST_F(QuotaTest, UsageFollowsDeliverCopyMoveExpungeUndeliverAndDelete) {
  EXPECT_EQ(usage(), 0);
  auto d1 = add(1, 0), d2 = add(2, 0), d3 = add(3, 0, "Other");
  ASSERT_TRUE(d1.ok() && d2.ok() && d3.ok());
  EXPECT_EQ(d1->size, kSize);
  EXPECT_EQ(usage(), 3 * kSize);
  int64_t inbox = mailbox_id("Inbox");

  // A copy counts again; a move changes nothing.
  ASSERT_TRUE(copy_messages(*acc_, inbox, {d1->uid, d2->uid}, "Archive", false, 0).ok());
  EXPECT_EQ(usage(), 5 * kSize);
  ASSERT_TRUE(copy_messages(*acc_, inbox, {d2->uid}, "Trash", true, 0).ok());
  EXPECT_EQ(usage(), 5 * kSize);

  // Expunge frees, and only the expunged.
  mark_deleted(inbox, {d1->uid});
  ASSERT_TRUE(expunge(*acc_, inbox, std::nullopt).ok());
  EXPECT_EQ(usage(), 4 * kSize);
  ASSERT_TRUE(expunge(*acc_, inbox, std::nullopt).ok());
  EXPECT_EQ(usage(), 4 * kSize);

  // A delivery taken back (SMTP all-or-none) frees its size.
  ASSERT_TRUE(undeliver(*acc_, *d3).ok());
  EXPECT_EQ(usage(), 3 * kSize);
  EXPECT_FALSE(undeliver(*acc_, *d3).ok());
  EXPECT_EQ(usage(), 3 * kSize);

  // Deleting a mailbox frees its messages (Archive holds 2).
  ASSERT_TRUE(delete_mailbox(*acc_, "Archive").ok());
  EXPECT_EQ(usage(), 1 * kSize);
  EXPECT_EQ(usage(), count("SELECT COALESCE(SUM(Size), 0) FROM Message WHERE Expunged = 0"));
}

TEST_F(QuotaTest, DeliveryOverQuotaIsRefusedAndLeavesNothing) {
  constexpr int64_t kQuota = 3 * kSize + kSize / 2;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(add(i, kQuota).ok()) << i;
  auto over = add(3, kQuota);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, ErrorKind::kOverQuota);
  EXPECT_TRUE(is_temporary(over.error()));
  EXPECT_EQ(usage(), 3 * kSize);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 3);
  expect_clean();  // no file without its row

  // Exactly at the limit passes; no limit (0) always does.
  EXPECT_TRUE(add(4, 4 * kSize).ok());
  EXPECT_TRUE(add(5, 0).ok());
  // An account over a lowered quota takes nothing more.
  EXPECT_EQ(add(6, kSize).error().kind, ErrorKind::kOverQuota);

  // Expunging makes room again.
  int64_t inbox = mailbox_id("Inbox");
  mark_deleted(inbox, {1, 2});
  ASSERT_TRUE(expunge(*acc_, inbox, std::nullopt).ok());
  EXPECT_EQ(usage(), 3 * kSize);
  EXPECT_TRUE(add(7, 4 * kSize).ok());
  EXPECT_EQ(add(8, 4 * kSize).error().kind, ErrorKind::kOverQuota);
}

TEST_F(QuotaTest, CopyOverQuotaIsRefusedWithoutOrphansAndMoveIsNot) {
  auto d1 = add(1, 0), d2 = add(2, 0);
  ASSERT_TRUE(d1.ok() && d2.ok());
  int64_t inbox = mailbox_id("Inbox");
  // Two copies would make 4 of at most 3.
  auto c = copy_messages(*acc_, inbox, {d1->uid, d2->uid}, "Archive", false, 3 * kSize);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kOverQuota);
  EXPECT_EQ(usage(), 2 * kSize);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 2);
  expect_clean();
  // One fits.
  ASSERT_TRUE(copy_messages(*acc_, inbox, {d1->uid}, "Archive", false, 3 * kSize).ok());
  EXPECT_EQ(usage(), 3 * kSize);
  // A move adds nothing: allowed at the limit, and over it.
  ASSERT_TRUE(copy_messages(*acc_, inbox, {d1->uid, d2->uid}, "Trash", true, 3 * kSize).ok());
  ASSERT_TRUE(copy_messages(*acc_, mailbox_id("Trash"), {1}, "Inbox", true, kSize).ok());
  EXPECT_EQ(usage(), 3 * kSize);
  expect_clean();
}

// The check runs inside the transaction that adds the row, so a refused
// row of a group commit fails alone and the later rows see the earlier ones.
TEST_F(QuotaTest, GroupCommitCountsTheRowsBeforeInTheGroup) {
  db::Db& db = acc_->db();
  auto first = reserve_message_ids(db, 3);
  ASSERT_TRUE(first.ok());
  PendingRow r1{"Inbox", true, 0, {}, *first, 600, {}, false};
  PendingRow r2{"Inbox", true, 0, {}, *first + 1, 600, {}, false};
  PendingRow r3{"Inbox", true, 0, {}, *first + 2, 400, {}, false};
  r1.quota = r2.quota = r3.quota = 1000;
  commit_rows(db, {&r1, &r2, &r3});
  ASSERT_TRUE(r1.result && r1.result->ok());
  ASSERT_TRUE(r2.result && !r2.result->ok());
  EXPECT_EQ(r2.result->error().kind, ErrorKind::kOverQuota);
  ASSERT_TRUE(r3.result && r3.result->ok());
  EXPECT_EQ(usage(), 1000);
}

// An index.db of schema version 4 gets its usage from the rows it has.
TEST_F(QuotaTest, MigrationCountsTheExistingMessages) {
  auto d1 = add(1, 0), d2 = add(2, 0);
  ASSERT_TRUE(d1.ok() && d2.ok());
  // An expunged row of those days (a tombstone, Expunged = 1) does not count.
  ASSERT_TRUE(acc_->db()
                  .exec("UPDATE Message SET Expunged = 1 WHERE ID = " + std::to_string(d1->id) +
                        "; " + testutil::kDropSince10 + testutil::kDropColumnsSince6 +
                        "DROP TRIGGER DiskUsageInsert; DROP TRIGGER DiskUsageUpdate; "
                        "DROP TRIGGER DiskUsageDelete; DROP TABLE DiskUsage; "
                        "PRAGMA user_version = 4")
                  .ok());
  acc_.reset();
  auto st = AccountStore::open(dir_, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  acc_.emplace(std::move(*st));
  EXPECT_EQ(count("PRAGMA user_version"), static_cast<int64_t>(account_migrations().size()));
  EXPECT_EQ(usage(), kSize);
  ASSERT_TRUE(add(3, 0).ok());
  EXPECT_EQ(usage(), 2 * kSize);
}

// Two processes deliver at once until refused: together they fill the
// quota exactly, never more.
TEST_F(QuotaTest, TwoProcessesAtTheLimitNeverExceedIt) {
  constexpr int kChildren = 2;
  constexpr int64_t kFits = 40;
  constexpr int64_t kQuota = kFits * kSize + kSize / 2;
  acc_.reset();
  auto statuses = testutil::run_children(kChildren, [&](int c) {
    auto st = AccountStore::open(dir_, false);
    if (!st) return 2;
    for (int i = 0; i < kFits + 10; ++i) {
      std::string m = message(c * 1000 + i);
      DeliverRequest req;
      req.source_data = m;
      req.quota = kQuota;
      auto d = deliver(*st, req);
      if (!d && d.error().kind != ErrorKind::kOverQuota) return 3;
    }
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(kChildren, 0));
  auto st = AccountStore::open(dir_, false);
  ASSERT_TRUE(st.ok());
  acc_.emplace(std::move(*st));
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), kFits);
  EXPECT_EQ(usage(), kFits * kSize);
  expect_clean();
}

// Threads of one process deliver through a SharedAccount (group commit).
TEST_F(QuotaTest, ThreadsAtTheLimitNeverExceedIt) {
  constexpr int kThreads = 8;
  constexpr int64_t kFits = 50;
  auto shared = SharedAccount::open(dir_);
  ASSERT_TRUE(shared.ok());
  std::atomic<int> accepted{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string m = message(t * 1000 + i);
        DeliverRequest req;
        req.source_data = m;
        req.quota = kFits * kSize;
        auto d = (*shared)->deliver(req);
        if (d) {
          ++accepted;
        } else if (d.error().kind == ErrorKind::kOverQuota) {
          ++refused;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(accepted.load(), kFits);
  EXPECT_EQ(refused.load(), kThreads * 10 - kFits);
  EXPECT_EQ(usage(), kFits * kSize);
  shared->reset();  // removes the files made in advance
  expect_clean();
}

TEST_F(QuotaTest, SharedAccountRemoveFreesTheSize) {
  auto shared = SharedAccount::open(dir_);
  ASSERT_TRUE(shared.ok());
  std::string m = message(1);
  DeliverRequest req;
  req.source_data = m;
  auto d = (*shared)->deliver(req);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(usage(), kSize);
  ASSERT_TRUE((*shared)->remove(*d).ok());
  EXPECT_EQ(usage(), 0);
}

}  // namespace
}  // namespace mox::store
