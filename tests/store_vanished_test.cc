// Tests for lib/store/vanished.*: expunged messages leave Message, so that
// a mailbox costs the same after many expunges (counted in rows, not time),
// while changes_since() still names the UIDs that vanished after a modseq
// (RFC 7162 §3.2.5.2): exactly for recent ones, a superset for old ones,
// never a message that is still there, nor leaves out a change below the
// highest modseq it returns; and account.cc migration 12 turns the expunged
// rows of older databases into such ranges.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "store/check.h"
#include "store/deliver.h"
#include "store/messages.h"
#include "store/quota.h"
#include "store/vanished.h"
#include "store_test_util.h"
#include "util/fs.h"

namespace mox::store {
namespace {

using testutil::TempDir;

const std::string kMessage = "Subject: gone\r\n\r\nsoon\r\n";

class VanishedTest : public testutil::AccountTest {
 protected:
  // Fills Inbox with at least `n` messages (UIDs 1..): one delivery, then
  // copies of all of them into Inbox again. Returns their UIDs.
  std::vector<int64_t> fill(size_t n) {
    DeliverRequest req;
    req.mailbox = "Inbox";
    req.source_data = kMessage;
    EXPECT_TRUE(deliver(*acc_, req).ok());
    while (true) {
      std::vector<int64_t> uids = live_uids();
      if (uids.size() >= n) return uids;
      EXPECT_TRUE(copy_messages(*acc_, inbox_, uids, "Inbox", false, 0).ok());
    }
  }

  std::vector<int64_t> live_uids() {
    auto rows = list_messages(*acc_, inbox_);
    EXPECT_TRUE(rows.ok());
    std::vector<int64_t> out;
    for (const auto& r : *rows) out.push_back(r.uid);
    return out;
  }

  void mark_deleted(const std::vector<int64_t>& uids) {
    MessageFlags del;
    del.bits = kFlagDeleted;
    ASSERT_TRUE(store_flags(*acc_, inbox_, uids, FlagOp::kAdd, del, std::nullopt).ok());
  }

  // Expunges `uid` (marked \Deleted) alone, in its own transaction and modseq.
  void expunge_one(int64_t uid) {
    auto gone = expunge(*acc_, inbox_, std::vector<int64_t>{uid});
    ASSERT_TRUE(gone.ok()) << gone.error().message;
    ASSERT_EQ(*gone, std::vector<int64_t>{uid});
  }

  std::vector<int64_t> vanished_since(int64_t modseq) {
    auto ch = changes_since(*acc_, inbox_, modseq);
    EXPECT_TRUE(ch.ok());
    return ch.ok() ? ch->expunged : std::vector<int64_t>{};
  }
};

// The work of SELECT (the rows of Message it visits) does not grow with the
// expunges: after expunging every message one at a time there are no rows
// left to visit, and the ranges kept for QRESYNC stay bounded.
TEST_F(VanishedTest, ExpungingEverythingLeavesNoRows) {
  std::vector<int64_t> uids = fill(2 * kExpungedRangesKept);
  mark_deleted(uids);
  int64_t mid = 0, last = 0;
  for (size_t i = 0; i < uids.size(); ++i) {
    if (i == 100) mid = *highest_modseq(*acc_);
    if (i + 1 == uids.size()) last = *highest_modseq(*acc_);
    expunge_one(uids[i]);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 0);
  EXPECT_TRUE(list_messages(*acc_, inbox_)->empty());
  EXPECT_LE(count("SELECT COUNT(*) FROM ExpungedUID"), kExpungedRangesKept + 64);
  EXPECT_EQ(*disk_usage(*acc_), 0);
  // Everything, from the start; only the last, just before it.
  EXPECT_EQ(vanished_since(0), uids);
  EXPECT_EQ(vanished_since(last), std::vector<int64_t>{uids.back()});
  // From the middle: at least what vanished since, at most what ever did.
  std::vector<int64_t> since_mid = vanished_since(mid);
  std::set<int64_t> got(since_mid.begin(), since_mid.end());
  for (size_t i = 100; i < uids.size(); ++i) EXPECT_TRUE(got.count(uids[i])) << uids[i];
  EXPECT_LE(since_mid.size(), uids.size());
  auto report = check_account(*acc_, false);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

// Ranges that a live message separates are never merged: a client is never
// told that a message still there has vanished.
TEST_F(VanishedTest, RangesNeverCoverLiveMessages) {
  std::vector<int64_t> uids = fill(2 * kExpungedRangesKept + 2);
  mark_deleted(uids);
  std::vector<int64_t> odd, even;
  for (int64_t u : uids) (u % 2 ? odd : even).push_back(u);
  for (int64_t u : odd) expunge_one(u);
  EXPECT_EQ(vanished_since(0), odd);
  EXPECT_EQ(live_uids(), even);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), static_cast<int64_t>(even.size()));
  auto report = check_account(*acc_, false);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->vanished_live.empty());
  EXPECT_TRUE(report->clean());
  // Once the live ones are gone too, the ranges merge.
  for (int64_t u : even) expunge_one(u);
  EXPECT_EQ(vanished_since(0), uids);
  EXPECT_LE(count("SELECT COUNT(*) FROM ExpungedUID"), kExpungedRangesKept + 64);
}

// A move and a mailbox deleted: the source's UIDs vanish; the deleted
// mailbox's ranges go with it.
TEST_F(VanishedTest, MoveAndDeleteMailbox) {
  std::vector<int64_t> uids = fill(4);
  int64_t before = *highest_modseq(*acc_);
  ASSERT_TRUE(copy_messages(*acc_, inbox_, {uids[1], uids[2]}, "Trash", true, 0).ok());
  EXPECT_EQ(vanished_since(before), (std::vector<int64_t>{uids[1], uids[2]}));
  ASSERT_TRUE(create_mailbox(*acc_, "Old", "").ok());
  int64_t old = (*find_mailbox(*acc_, "Old"))->id;
  ASSERT_TRUE(copy_messages(*acc_, inbox_, {uids[0]}, "Old", false, 0).ok());
  ASSERT_TRUE(copy_messages(*acc_, old, {1}, "Trash", true, 0).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM ExpungedUID WHERE MailboxID = " + std::to_string(old)), 1);
  ASSERT_TRUE(delete_mailbox(*acc_, "Old").ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM ExpungedUID WHERE MailboxID = " + std::to_string(old)), 0);
}

// changes_since() reads the highest modseq and the changes in one
// snapshot: a message that another process adds between its reads is never
// left out below the modseq it returns, from which a session goes on
// (imaptest's stress saw sessions miss messages for good).
TEST_F(VanishedTest, ChangesSinceMissesNothingBelowItsHighestModseq) {
  fill(1);
  int64_t from = *highest_modseq(*acc_);
  auto other = AccountStore::open(dir_, false);
  ASSERT_TRUE(other.ok());
  struct Hook {
    AccountStore* other = nullptr;
    int statements = 0;
    std::optional<Delivered> added;
  } hook;
  hook.other = &*other;
  // Adds a message when changes_since() starts its second statement.
  auto on_statement = [](unsigned, void* ctx, void*, void*) -> int {
    auto* h = static_cast<Hook*>(ctx);
    if (++h->statements == 2) {
      DeliverRequest req;
      req.mailbox = "Inbox";
      req.source_data = kMessage;
      auto d = deliver(*h->other, req);
      if (d.ok()) h->added = *d;
    }
    return 0;
  };
  sqlite3_trace_v2(acc_->db().raw(), SQLITE_TRACE_STMT, on_statement, &hook);
  auto ch = changes_since(*acc_, inbox_, from);
  sqlite3_trace_v2(acc_->db().raw(), 0, nullptr, nullptr);
  ASSERT_TRUE(ch.ok());
  ASSERT_TRUE(hook.added);
  bool listed = std::any_of(ch->changed.begin(), ch->changed.end(),
                            [&](const MessageRow& r) { return r.uid == hook.added->uid; });
  EXPECT_TRUE(listed || hook.added->modseq > ch->highest_modseq)
      << "modseq " << hook.added->modseq << " <= highest " << ch->highest_modseq;
}

// Migration 12: the expunged rows of an older database (Expunged = 1)
// become ranges with their modseqs and leave Message; the usage is kept.
TEST(VanishedMigrationTest, ExpungedRowsBecomeRanges) {
  TempDir tmp;
  std::string dir = tmp.path() + "/accounts/old";
  ASSERT_TRUE(mkdir_all(dir + "/msg", 0770).ok());
  const auto& all = account_migrations();
  auto it = std::find_if(all.begin(), all.end(), [](const std::string& m) {
    return m.find("CREATE TABLE ExpungedUID") != std::string::npos;
  });
  ASSERT_NE(it, all.end());
  {
    auto db = db::Db::open(dir + "/index.db", std::vector<std::string>(all.begin(), it), true);
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(
        db->exec("UPDATE Account SET ModSeq = 10, NextMessageID = 10; "
                 "INSERT INTO Mailbox (ID, Name, UIDValidity, UIDNext, CreateModSeq, ModSeq) "
                 "VALUES (1, 'Inbox', 1, 4, 1, 10); "
                 "INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, Received, "
                 "SaveDate, Size, Expunged) VALUES (1, 1, 1, 2, 2, 0, 0, 100, 0), "
                 "(2, 1, 2, 5, 2, 0, 0, 200, 1), (3, 1, 3, 6, 3, 0, 0, 300, 1);")
            .ok());
  }
  auto st = AccountStore::open(dir, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(*disk_usage(*st), 100);
  auto rows = list_messages(*st, 1);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  auto q = st->db().prepare("SELECT COUNT(*) FROM Message");
  ASSERT_TRUE(q.ok() && q->step().ok());
  EXPECT_EQ(q->col_int(0), 1);
  EXPECT_EQ(changes_since(*st, 1, 0)->expunged, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(changes_since(*st, 1, 5)->expunged, std::vector<int64_t>{3});
  EXPECT_TRUE(changes_since(*st, 1, 6)->expunged.empty());
}

}  // namespace
}  // namespace mox::store
