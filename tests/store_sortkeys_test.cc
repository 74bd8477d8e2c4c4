// The SORT and THREAD keys kept per message (store/sortkeys.h): stored at
// delivery (one message, and many threads with the caller's parse), taken
// over by copies, and computed from the files of messages stored without
// them on the first load.
#include <gtest/gtest.h>

#include "message/parsed.h"
#include "store/deliver.h"
#include "store/messages.h"
#include "store/shared.h"
#include "store/sortkeys.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

const char* kMessage =
    "From: Alice Example <alice@example.org>\r\n"
    "To: bob@example.com\r\n"
    "Subject: Re: [list] Fwd: plans\r\n"
    "Date: Thu, 01 Jan 1970 00:02:00 +0000\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "In-Reply-To: <m0@example.org>\r\n"
    "\r\n"
    "body\r\n";

void expect_keys(const message::SortKeys& k) {
  EXPECT_EQ(k.subject, "PLANS");
  EXPECT_TRUE(k.reply);
  EXPECT_EQ(k.from, "ALICE");
  EXPECT_EQ(k.display_from, "ALICE EXAMPLE");
  EXPECT_EQ(k.to, "BOB");
  EXPECT_EQ(k.display_to, "BOB@EXAMPLE.COM");
  EXPECT_EQ(k.sent, 120);
  EXPECT_EQ(k.message_id, "m1@example.org");
  EXPECT_EQ(k.references, std::vector<std::string>{"m0@example.org"});
}

class SortKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = AccountStore::open(tmp_.path() + "/acc", true);
    ASSERT_TRUE(a.ok()) << a.error().message;
    acc_.emplace(std::move(*a));
    inbox_ = (*find_mailbox(*acc_, "Inbox"))->id;
  }
  Delivered add(std::string_view msg) {
    DeliverRequest r;
    r.mailbox = "Inbox";
    r.source_data = msg;
    auto d = deliver(*acc_, r);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return *d;
  }
  std::vector<SortRow> load(int64_t mailbox_id) {
    auto rows = load_sort_keys(*acc_, mailbox_id);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? *rows : std::vector<SortRow>{};
  }
  // The count of `where` rows of Message.
  int64_t count(const std::string& where) {
    auto q = acc_->db().prepare("SELECT COUNT(*) FROM Message WHERE " + where);
    auto row = q ? q->step() : Result<bool>(q.error());
    EXPECT_TRUE(row.ok() && *row) << where;
    return row.ok() && *row ? q->col_int(0) : -1;
  }
  testutil::TempDir tmp_;
  std::optional<AccountStore> acc_;
  int64_t inbox_ = 0;
};

TEST_F(SortKeysTest, StoredAtDeliveryAndCopied) {
  Delivered d = add(kMessage);
  add("Subject: second\r\n\r\n");
  std::vector<SortRow> rows = load(inbox_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].uid, d.uid);
  expect_keys(rows[0].keys);
  EXPECT_EQ(rows[1].keys.subject, "SECOND");
  EXPECT_FALSE(rows[1].keys.sent);  // no Date: the internal date is used
  EXPECT_EQ(count("SortVersion = 1"), 2);
  // Only the keys asked for.
  auto some = load_sort_keys(*acc_, inbox_, kSortSent | kSortThread);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ((*some)[0].keys.sent, 120);
  EXPECT_EQ((*some)[0].keys.message_id, "m1@example.org");
  EXPECT_EQ((*some)[0].keys.references, std::vector<std::string>{"m0@example.org"});
  EXPECT_EQ((*some)[0].keys.subject, "");
  EXPECT_EQ((*some)[0].keys.from, "");

  ASSERT_TRUE(copy_messages(*acc_, inbox_, {d.uid}, "Archive", false, 0).ok());
  auto archive = *find_mailbox(*acc_, "Archive");
  std::vector<SortRow> copied = load(archive->id);
  ASSERT_EQ(copied.size(), 1u);
  expect_keys(copied[0].keys);
}

// Messages from before migration 8, or with keys of an older version, get
// theirs from the file on the first load, and keep them.
TEST_F(SortKeysTest, MissingKeysComputedOnFirstLoad) {
  Delivered d = add(kMessage);
  ASSERT_TRUE(acc_->db()
                  .exec("UPDATE Message SET SortVersion = 0, SortSubject = '', SortFrom = '', "
                        "SentDate = NULL, ThreadReferences = ''")
                  .ok());
  std::vector<SortRow> rows = load(inbox_);
  ASSERT_EQ(rows.size(), 1u);
  expect_keys(rows[0].keys);
  EXPECT_EQ(count("SortVersion = 1 AND SortSubject = 'PLANS'"), 1);
  // A file gone (expunged by another process meanwhile): empty keys.
  ASSERT_TRUE(acc_->db().exec("UPDATE Message SET SortVersion = 0").ok());
  ::unlink(message_path(*acc_, d.id).c_str());
  std::vector<SortRow> again = load(inbox_);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].keys.subject, "");
}

// SharedAccount (mox-smtpd) takes the keys from the structure the caller
// parsed, and from the file without one.
TEST_F(SortKeysTest, SharedAccountDelivery) {
  auto shared = SharedAccount::open(acc_->dir());
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  DeliverRequest r;
  r.mailbox = "Inbox";
  r.source_data = kMessage;
  r.parsed = std::make_shared<const message::Parsed>(message::parse(kMessage));
  ASSERT_TRUE((*shared)->deliver(r).ok());
  r.parsed = nullptr;
  ASSERT_TRUE((*shared)->deliver(r).ok());
  std::vector<SortRow> rows = load(inbox_);
  ASSERT_EQ(rows.size(), 2u);
  expect_keys(rows[0].keys);
  expect_keys(rows[1].keys);
}

}  // namespace
}  // namespace mox::store
