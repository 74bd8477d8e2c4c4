// Tests for lib/store/export.*: the snapshot of an account for export reads
// in chunks what was there when it began, and nothing committed since: a
// delivery during the export does not appear (not even half), and a message
// expunged during it is reported as gone (kNotFound) without failing, which
// still_present() tells from a file missing by damage.
#include <gtest/gtest.h>

#include "store/deliver.h"
#include "store/export.h"
#include "store/messages.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

class ExportSnapshotTest : public testutil::AccountTest {
 protected:
  // Delivers to Inbox through `a` (another connection, as another process).
  Delivered put(AccountStore& a, const std::string& body, MessageFlags flags = {}) {
    DeliverRequest req;
    std::string msg = "Subject: " + body + "\r\n\r\n" + body + "\r\n";
    req.source_data = msg;
    req.received = 1704110400;
    req.flags = std::move(flags);
    auto d = deliver(a, req);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return *d;
  }

  // Every row of Inbox in the snapshot, read `chunk` at a time.
  std::vector<ExportRow> all(ExportSnapshot& s, int chunk) {
    std::vector<ExportRow> out;
    for (int64_t after = 0;;) {
      auto rows = s.messages(inbox_, after, chunk);
      EXPECT_TRUE(rows.ok());
      if (!rows.ok() || rows->empty()) return out;
      after = rows->back().uid;
      out.insert(out.end(), rows->begin(), rows->end());
    }
  }

  AccountStore other() {
    auto o = AccountStore::open(dir_, false);
    EXPECT_TRUE(o.ok());
    return std::move(*o);
  }
};

TEST_F(ExportSnapshotTest, ChunksOfOneSnapshot) {
  MessageFlags f;
  f.bits = kFlagSeen | kFlagForwarded;
  f.keywords = {"work"};
  for (int i = 0; i < 5; i++) put(*acc_, "m" + std::to_string(i), i == 2 ? f : MessageFlags{});
  AccountStore o = other();
  auto snap = ExportSnapshot::begin(*acc_);
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  EXPECT_EQ(snap->mailboxes().size(), 6u);  // the default mailboxes
  EXPECT_EQ(*snap->count(inbox_), 5);
  auto first = snap->messages(inbox_, 0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  // Deliveries committed between two chunks are not seen.
  for (int i = 0; i < 3; i++) put(o, "late" + std::to_string(i));
  std::vector<ExportRow> rows = all(*snap, 2);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(*snap->count(inbox_), 5);
  EXPECT_EQ(rows[2].flags.bits, kFlagSeen | kFlagForwarded);
  EXPECT_EQ(rows[2].flags.keywords, std::vector<std::string>{"work"});
  EXPECT_EQ(rows[2].received, 1704110400);
  for (const auto& r : rows) {
    auto fd = snap->open_file(r.id);
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    EXPECT_EQ(::lseek(fd->get(), 0, SEEK_END), r.size);
  }
  snap->end();
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 8);
}

TEST_F(ExportSnapshotTest, ExpungeDuringExportIsAMissingFileNotAnError) {
  Delivered keep = put(*acc_, "keep");
  Delivered gone = put(*acc_, "gone");
  Delivered damaged = put(*acc_, "damaged");
  AccountStore o = other();
  auto snap = ExportSnapshot::begin(*acc_);
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(*snap->count(inbox_), 3);
  MessageFlags del;
  del.bits = kFlagDeleted;
  ASSERT_TRUE(store_flags(o, inbox_, {gone.uid}, FlagOp::kAdd, del, std::nullopt).ok());
  auto ex = expunge(o, inbox_, std::nullopt);
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  ASSERT_EQ(::unlink(message_path(o, damaged.id).c_str()), 0);

  std::vector<ExportRow> rows = all(*snap, 100);
  ASSERT_EQ(rows.size(), 3u);  // the snapshot still has the expunged one
  EXPECT_EQ(rows[1].flags.bits, 0);
  EXPECT_TRUE(snap->open_file(keep.id).ok());
  auto g = snap->open_file(gone.id);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().kind, ErrorKind::kNotFound);
  ASSERT_FALSE(snap->open_file(damaged.id).ok());
  snap->end();
  auto present = snap->still_present({gone.id, damaged.id});
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(*present, std::vector<int64_t>{damaged.id});
}

}  // namespace
}  // namespace mox::store
