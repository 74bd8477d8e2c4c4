// Tests for lib/store/import.*: batches of files and rows, the parsed forms,
// search text and sort keys of imported messages, flags, undo after a
// failure midway, and files left by a batch not committed.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/import.h"
#include "store/msgfile.h"
#include "store/parsed.h"
#include "store/vanished.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

std::string message(int i) {
  return "From: a@example.org\r\nSubject: message " + std::to_string(i) + "\r\nMessage-ID: <" +
         std::to_string(i) + "@x>\r\n\r\nbody word" + (i == 7 ? " zebrafish" : "") + "\r\n";
}

class ImportTest : public testutil::AccountTest {
 protected:
  int64_t files() {
    int64_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/msg"))
      n += e.is_regular_file();
    return n;
  }
};

TEST_F(ImportTest, BatchesRowsAndSearch) {
  Importer::Options o;
  o.batch_messages = 4;
  for (auto sync : {Importer::Sync::kSyncfs, Importer::Sync::kFsync}) {
    o.sync = sync;
    Importer imp(*acc_, o);
    for (int i = 0; i < 10; i++) {
      MessageFlags f = import_flags({i % 2 ? "\\Seen" : "$Junk", "work"});
      std::string mb = i < 6 ? "Inbox" : "Archive/2024";
      ASSERT_TRUE(imp.add(mb, message(i), f, 1700000000 + i).ok());
      // Full batches are committed as they fill.
      EXPECT_EQ(imp.committed(), (i + 1) / 4 * 4);
    }
    ASSERT_TRUE(imp.flush().ok());
    EXPECT_EQ(imp.committed(), 10);
    EXPECT_EQ(imp.mailboxes(), (std::set<std::string>{"Archive/2024", "Inbox"}));
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 20);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1 AND SortVersion > 0"), 20);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Flags = 1 AND Keywords = 'work'"), 10);
  EXPECT_EQ(count("SELECT MIN(Received) FROM Message"), 1700000000);
  EXPECT_EQ(count("SELECT MAX(UID) FROM Message WHERE MailboxID = " + std::to_string(inbox_)), 12);
  EXPECT_EQ(files(), 20);
  auto ids = text_search(*acc_, "zebrafish");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 2u);
  // The stored bytes are the message as given.
  EXPECT_EQ(testutil::slurp(message_file_path(dir_, (*ids)[0])), message(7));
}

TEST_F(ImportTest, UndoAfterFailureMidway) {
  Importer::Options o;
  o.batch_messages = 3;
  o.quota = static_cast<int64_t>(message(1).size()) * 5 + 10;  // room for 5
  Importer imp(*acc_, o);
  Status st;
  int added = 0;
  for (int i = 0; i < 10 && st; i++) {
    auto r = imp.add("Inbox", message(i), {}, 0);
    if (r)
      added++;
    else
      st = r.error();
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kOverQuota) << st.error().message;
  EXPECT_EQ(imp.committed(), 5);
  ASSERT_TRUE(imp.undo().ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 0);
  EXPECT_EQ(files(), 0);
  // IMAP sessions see the messages go: their UIDs are recorded as expunged.
  auto gone = expunged_since(acc_->db(), inbox_, 0);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->size(), 5u);
}

TEST_F(ImportTest, BatchNotCommittedLeavesNoFiles) {
  {
    Importer imp(*acc_, {});
    ASSERT_TRUE(imp.add("Inbox", message(1), {}, 0).ok());
    EXPECT_EQ(files(), 1);
  }
  EXPECT_EQ(files(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 0);
}

TEST_F(ImportTest, SkipExistingAfterACrash) {
  {
    Importer imp(*acc_, {});
    for (int i = 0; i < 3; i++) ASSERT_TRUE(imp.add("Inbox", message(i), {}, 1700000000 + i).ok());
    ASSERT_TRUE(imp.flush().ok());
  }
  Importer::Options o;
  o.skip_existing = true;
  Importer imp(*acc_, o);
  std::vector<bool> added;
  for (int i = 0; i < 5; i++) {
    auto r = imp.add("Inbox", message(i), {}, 1700000000 + i);
    ASSERT_TRUE(r.ok()) << r.error().message;
    added.push_back(*r);
  }
  // Another date: another message. Twice in the input: both added.
  EXPECT_TRUE(*imp.add("Inbox", message(0), {}, 1600000000));
  EXPECT_TRUE(*imp.add("Inbox", message(4), {}, 1700000004));
  ASSERT_TRUE(imp.flush().ok());
  EXPECT_EQ(added, (std::vector<bool>{false, false, false, true, true}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 3 + 4);
}

TEST(ImportFlags, KeepsWhatTheStoreCan) {
  std::vector<std::string> dropped;
  MessageFlags f = import_flags(
      {"\\Seen", "\\Recent", "$Forwarded", "Work", "work", "bad(kw", "\\Unknown", "$label1"},
      &dropped);
  EXPECT_EQ(f.bits, kFlagSeen | kFlagForwarded);
  EXPECT_EQ(f.keywords, (std::vector<std::string>{"work", "$label1"}));
  EXPECT_EQ(dropped, (std::vector<std::string>{"\\Recent", "bad(kw", "\\Unknown"}));
}

}  // namespace
}  // namespace mox::store
