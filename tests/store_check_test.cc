// Tests for lib/store/check.* and lib/store/invariants.*: what verifydata
// (mox-config(8)) finds in an account, and what repairing fixes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "store/check.h"
#include "store/deliver.h"
#include "store/invariants.h"
#include "store/msgfile.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::write_file;

class CheckTest : public testutil::AccountTest {
 protected:
  CheckReport check(CheckOptions o = {}) {
    auto r = check_account(*acc_, o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : CheckReport{};
  }

  bool has_problem(const CheckReport& r, const std::string& kind) {
    return std::any_of(r.problems.begin(), r.problems.end(),
                       [&](const Problem& p) { return p.kind == kind; });
  }

  void exec(const std::string& sql) { ASSERT_TRUE(acc_->db().exec(sql).ok()) << sql; }
};

TEST_F(CheckTest, CleanAccount) {
  add_message("Subject: a\r\n\r\none\r\n");
  add_message("Subject: b\r\n\r\ntwo\r\n");
  CheckReport r = check();
  EXPECT_TRUE(r.clean());
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(CheckTest, FindsRemovedTruncatedAndOrphanFiles) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  Delivered b = add_message("Subject: b\r\n\r\ntwo two\r\n");
  ASSERT_EQ(::unlink(message_file_path(dir_, a.id).c_str()), 0);
  ASSERT_EQ(::truncate(message_file_path(dir_, b.id).c_str(), 3), 0);
  int64_t orphan = b.id + 1000;
  write_file(message_dir_path(dir_, orphan) + "/" + std::to_string(orphan), "stray");
  int64_t empty = b.id + 1001;
  write_file(message_dir_path(dir_, empty) + "/" + std::to_string(empty), "");

  CheckReport r = check();
  EXPECT_FALSE(r.clean());
  EXPECT_EQ(r.missing_files, std::vector<int64_t>{a.id});
  ASSERT_EQ(r.size_mismatches.size(), 1u);
  EXPECT_EQ(r.size_mismatches[0].id, b.id);
  EXPECT_EQ(r.size_mismatches[0].row_size, b.size);
  EXPECT_EQ(r.size_mismatches[0].file_size, 3);
  EXPECT_EQ(r.orphan_files, (std::vector<int64_t>{orphan, empty}));
  EXPECT_EQ(r.empty_orphan_files, std::vector<int64_t>{empty});

  // Repair removes the orphans, never a row or a damaged file.
  CheckReport fixed = check({true, true});
  EXPECT_EQ(fixed.removed, 2);
  EXPECT_FALSE(path_exists(message_file_path(dir_, orphan)));
  EXPECT_FALSE(path_exists(message_file_path(dir_, empty)));
  EXPECT_TRUE(path_exists(message_file_path(dir_, b.id)));
  CheckReport after = check();
  EXPECT_TRUE(after.orphan_files.empty());
  EXPECT_EQ(after.missing_files, std::vector<int64_t>{a.id});
  EXPECT_EQ(after.size_mismatches.size(), 1u);
}

TEST_F(CheckTest, UidAtUidNextIsReportedAndRepaired) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  exec("UPDATE Mailbox SET UIDNext = 1 WHERE ID = " + std::to_string(a.mailbox_id));
  CheckReport r = check();
  ASSERT_TRUE(has_problem(r, "uid-not-below-uidnext"));
  EXPECT_EQ(r.problems[0].message_id, a.id);
  EXPECT_FALSE(r.problems[0].fixed);

  CheckReport fixed = check({false, true});
  ASSERT_FALSE(fixed.problems.empty());
  EXPECT_TRUE(fixed.problems[0].fixed);
  EXPECT_EQ(count("SELECT UIDNext FROM Mailbox WHERE ID = " + std::to_string(a.mailbox_id)),
            a.uid + 1);
  EXPECT_TRUE(check().clean());
}

TEST_F(CheckTest, ModseqDiskUsageAndNextMessageId) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  exec("UPDATE Account SET ModSeq = 0, NextMessageID = 1");
  exec("UPDATE DiskUsage SET MessageSize = 7");
  CheckReport r = check();
  EXPECT_TRUE(has_problem(r, "modseq-above-account"));
  EXPECT_TRUE(has_problem(r, "next-message-id"));
  EXPECT_TRUE(has_problem(r, "disk-usage"));

  CheckReport fixed = check({false, true});
  for (const auto& p : fixed.problems) EXPECT_TRUE(p.fixed) << p.kind;
  EXPECT_TRUE(check().clean());
  EXPECT_EQ(count("SELECT NextMessageID FROM Account"), a.id + 1);
  EXPECT_EQ(count("SELECT MessageSize FROM DiskUsage"), a.size);
  EXPECT_EQ(count("SELECT ModSeq FROM Account"), a.modseq);
}

TEST_F(CheckTest, MessageWithoutMailboxIsOnlyReported) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  // The foreign key keeps this from happening; a damaged database could.
  exec("PRAGMA foreign_keys = OFF");
  exec("UPDATE Message SET MailboxID = 999");
  CheckReport fixed = check({false, true});
  ASSERT_TRUE(has_problem(fixed, "message-without-mailbox"));
  for (const auto& p : fixed.problems) {
    EXPECT_EQ(p.message_id, a.id);
    EXPECT_FALSE(p.fixed) << p.kind;
  }
}

}  // namespace
}  // namespace mox::store
