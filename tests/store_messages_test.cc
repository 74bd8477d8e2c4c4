// Mailbox lifecycle, flags with modseqs, expunge tombstones, copy and move.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "store/deliver.h"
#include "store/messages.h"
#include "util/fs.h"

namespace mox::store {
namespace {

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("msgs-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto a = AccountStore::open(dir_.string(), true);
    ASSERT_TRUE(a.ok()) << a.error().message;
    acc_.emplace(std::move(*a));
    src_ = (dir_ / "src.eml").string();
    ASSERT_TRUE(write_file_atomic(src_, "Subject: x\r\n\r\nbody\r\n", 0600).ok());
  }
  void TearDown() override {
    acc_.reset();
    std::filesystem::remove_all(dir_);
  }
  Delivered add(const std::string& mailbox) {
    DeliverRequest r;
    r.mailbox = mailbox;
    r.source_path = src_;
    auto d = deliver(*acc_, r);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return *d;
  }
  int64_t mailbox_id(const std::string& name) {
    auto mb = find_mailbox(*acc_, name);
    EXPECT_TRUE(mb.ok() && *mb);
    return (*mb)->id;
  }
  std::filesystem::path dir_;
  std::string src_;
  std::optional<AccountStore> acc_;
};

TEST_F(MessagesTest, MailboxLifecycle) {
  auto mbs = list_mailboxes(*acc_);
  ASSERT_TRUE(mbs.ok());
  EXPECT_EQ(mbs->size(), 6u);
  auto c = create_mailbox(*acc_, "Projects/2026", "");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(create_mailbox(*acc_, "Projects/2026", "").ok());
  int64_t uv = c->uidvalidity;
  EXPECT_FALSE(c->subscribed);  // subscriptions are the client's (RFC 9051 §6.3.7)
  ASSERT_TRUE(set_subscribed(*acc_, "Projects/2026", true).ok());
  add("Projects/2026");
  ASSERT_TRUE(rename_mailbox(*acc_, "Projects", "Work").ok());
  auto moved = find_mailbox(*acc_, "Work/2026");
  ASSERT_TRUE(moved.ok() && *moved);
  EXPECT_EQ((*moved)->uidvalidity, uv);  // RFC 9051 §6.3.6
  EXPECT_TRUE((*moved)->subscribed);
  EXPECT_FALSE(delete_mailbox(*acc_, "Work").ok());  // has children
  ASSERT_TRUE(delete_mailbox(*acc_, "Work/2026").ok());
  auto again = create_mailbox(*acc_, "Work/2026", "");
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->uidvalidity, uv);  // never reused
  EXPECT_FALSE(delete_mailbox(*acc_, "INBOX").ok());
}

// A rename takes the subscriptions of the mailbox and its children along,
// onto names that may be subscribed already (no UNIQUE failure), and leaves
// other subscriptions alone.
TEST_F(MessagesTest, RenameMovesSubscriptions) {
  ASSERT_TRUE(create_mailbox(*acc_, "A/B/C", "").ok());
  for (const char* n : {"A", "A/B", "A/B/C", "D", "D/B", "Ax"}) {
    ASSERT_TRUE(set_subscribed(*acc_, n, true).ok());
  }
  auto r = rename_mailbox(*acc_, "A", "D");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto subs = list_subscriptions(*acc_);
  ASSERT_TRUE(subs.ok());
  // Besides those of the new account's mailboxes (store/account.cc).
  EXPECT_EQ(*subs, (std::vector<std::string>{"Archive", "Ax", "D", "D/B", "D/B/C", "Drafts",
                                             "Inbox", "Junk", "Sent", "Trash"}));
  // Into a name below a subscribed one's new place: old rows go first.
  ASSERT_TRUE(rename_mailbox(*acc_, "D/B", "D/B2").ok());
  ASSERT_TRUE(rename_mailbox(*acc_, "D/B2/C", "E").ok());
  subs = list_subscriptions(*acc_);
  ASSERT_TRUE(subs.ok());
  EXPECT_EQ(*subs, (std::vector<std::string>{"Archive", "Ax", "D", "D/B2", "Drafts", "E", "Inbox",
                                             "Junk", "Sent", "Trash"}));
}

// RFC 9051 §2.3.1.1: a UIDVALIDITY is never used again for a mailbox name,
// also when the account is removed and made again: the values grow with the
// time, as a client may hold state of the old mailbox (mbsync).
TEST_F(MessagesTest, UidValidityGrowsWithTimeAcrossAccounts) {
  int64_t before = ::time(nullptr);
  auto inbox = find_mailbox(*acc_, "Inbox");
  ASSERT_TRUE(inbox.ok() && *inbox);
  EXPECT_GE((*inbox)->uidvalidity, before - 1);
  int64_t old_uv = (*inbox)->uidvalidity;
  acc_.reset();
  std::filesystem::remove_all(dir_);
  ::sleep(1);
  auto a = AccountStore::open(dir_.string(), true);
  ASSERT_TRUE(a.ok()) << a.error().message;
  acc_.emplace(std::move(*a));
  auto again = find_mailbox(*acc_, "Inbox");
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_GT((*again)->uidvalidity, old_uv);
  EXPECT_LE((*again)->uidvalidity, int64_t{0xffffffff});  // an nz-number of 32 bits
}

TEST_F(MessagesTest, FlagsModseqExpunge) {
  auto d1 = add("Inbox");
  auto d2 = add("Inbox");
  int64_t inbox = mailbox_id("Inbox");
  int64_t before = *highest_modseq(*acc_);
  auto r = store_flags(*acc_, inbox, {d1.uid, d2.uid}, FlagOp::kAdd,
                       *parse_flags({"\\Seen", "custom"}), std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->updated.size(), 2u);
  EXPECT_GT(r->updated[0].modseq, before);
  EXPECT_EQ(r->updated[0].flags.keywords, std::vector<std::string>{"custom"});
  // UNCHANGEDSINCE below the current modseq refuses the change.
  auto r2 = store_flags(*acc_, inbox, {d1.uid}, FlagOp::kAdd, *parse_flags({"\\Deleted"}), before);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->modified, std::vector<int64_t>{d1.uid});
  ASSERT_TRUE(
      store_flags(*acc_, inbox, {d1.uid}, FlagOp::kAdd, *parse_flags({"\\Deleted"}), std::nullopt)
          .ok());
  int64_t mid = *highest_modseq(*acc_);
  auto gone = expunge(*acc_, inbox, std::nullopt);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, std::vector<int64_t>{d1.uid});
  EXPECT_FALSE(path_exists(message_path(*acc_, d1.id)));
  auto ch = changes_since(*acc_, inbox, mid);
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(ch->expunged, std::vector<int64_t>{d1.uid});
  EXPECT_EQ(list_messages(*acc_, inbox)->size(), 1u);
}

TEST_F(MessagesTest, CopyAndMove) {
  auto d1 = add("Inbox");
  auto d2 = add("Inbox");
  int64_t inbox = mailbox_id("Inbox");
  auto c = copy_messages(*acc_, inbox, {d2.uid, d1.uid}, "Archive", false, 0);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->src_uids, (std::vector<int64_t>{d1.uid, d2.uid}));
  EXPECT_EQ(c->dest_uids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(list_messages(*acc_, mailbox_id("Archive"))->size(), 2u);
  auto m = copy_messages(*acc_, inbox, {d1.uid}, "Trash", true, 0);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(list_messages(*acc_, inbox)->size(), 1u);
  auto trash = list_messages(*acc_, mailbox_id("Trash"));
  ASSERT_EQ(trash->size(), 1u);
  auto data = read_file(message_path(*acc_, (*trash)[0].id));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(copy_messages(*acc_, inbox, {d2.uid}, "Nope", false, 0).error().kind,
            ErrorKind::kNotFound);
}

}  // namespace
}  // namespace mox::store
