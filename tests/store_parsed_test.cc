// Parsed forms stored at delivery (store/parsed.h): the FETCH renderings, the
// FTS5 trigram index for SEARCH, and their upkeep on copy, move, expunge,
// mailbox deletion, and the lazy backfill of messages from before migration 4.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "message/fetch.h"
#include "message/mime.h"
#include "message/searchtext.h"
#include "store/deliver.h"
#include "store/messages.h"
#include "store/parsed.h"
#include "store_test_util.h"
#include "util/fs.h"

namespace mox::store {
namespace {

enum class TextColumn { kHeaders, kBody, kAll };

// Quoted-printable and base64 bodies, and a non-ASCII subject.
const char* kQuotedPrintable =
    "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\r\n"
    "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Ein Caf=C3=A9 am Marienplatz, sehr sch=C3=B6n.\r\n";
const char* kBase64 =
    "From: alice@example.org\r\n"
    "Subject: base64\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "U2No9m5lIFf8cnN0Y2hlbiBhdXMgS/Zsbi4=\r\n"  // "Schöne Würstchen aus Köln." in latin-1
    "--b\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "emVicmFzdHJpcGVz\r\n"  // "zebrastripes", not text: not indexed
    "--b--\r\n";

class ParsedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("parsed-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto a = AccountStore::open(dir_.string(), true);
    ASSERT_TRUE(a.ok()) << a.error().message;
    acc_.emplace(std::move(*a));
    inbox_ = (*find_mailbox(*acc_, "Inbox"))->id;
  }
  void TearDown() override {
    acc_.reset();
    std::filesystem::remove_all(dir_);
  }
  Delivered add(const std::string& msg, const std::string& mailbox = "Inbox") {
    std::string src = (dir_ / "src.eml").string();
    EXPECT_TRUE(write_file_atomic(src, msg, 0600).ok());
    DeliverRequest r;
    r.mailbox = mailbox;
    r.source_path = src;
    auto d = deliver(*acc_, r);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return *d;
  }
  // Candidates from the index, checked against the stored text as SEARCH does.
  std::set<int64_t> find(TextColumn col, std::string_view needle) {
    auto r = text_search(*acc_, needle);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::set<int64_t> out;
    SearchTextReader reader(*acc_);
    std::string n = message::fold_case(needle);
    for (int64_t id : r.ok() ? *r : std::vector<int64_t>()) {
      bool h = col != TextColumn::kBody && message::contains_folded(*reader.headers(id), n);
      bool b = col != TextColumn::kHeaders && message::contains_folded(*reader.body(id), n);
      if (h || b) out.insert(id);
    }
    return out;
  }
  size_t candidates(std::string_view needle) {
    auto r = text_search(*acc_, needle);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->size() : 0;
  }
  int64_t count(const std::string& sql) {
    auto q = acc_->db().prepare(sql);
    EXPECT_TRUE(q.ok());
    auto row = q->step();
    EXPECT_TRUE(row.ok() && *row);
    return q->col_int(0);
  }
  std::filesystem::path dir_;
  std::optional<AccountStore> acc_;
  int64_t inbox_ = 0;
};

using Ids = std::set<int64_t>;

TEST_F(ParsedTest, DecodedTextIsIndexedCaseInsensitively) {
  Delivered qp = add(kQuotedPrintable), b64 = add(kBase64);
  EXPECT_EQ(find(TextColumn::kBody, "café"), Ids{qp.id});
  EXPECT_EQ(find(TextColumn::kBody, "CAFÉ AM"), Ids{qp.id});            // non-ASCII case folded
  EXPECT_EQ(find(TextColumn::kBody, "Caf=C3"), Ids{});                  // not the encoded form
  EXPECT_EQ(find(TextColumn::kBody, "schöne würstchen"), Ids{b64.id});  // base64, latin-1
  EXPECT_EQ(find(TextColumn::kBody, "zebrastripes"), Ids{});            // not a text part
  EXPECT_EQ(find(TextColumn::kHeaders, "münchen"), Ids{qp.id});         // RFC 2047 decoded
  EXPECT_EQ(find(TextColumn::kBody, "münchen"), Ids{});
  EXPECT_EQ(find(TextColumn::kAll, "MÜNCHEN"), Ids{qp.id});
  EXPECT_EQ(find(TextColumn::kAll, "example"), (Ids{qp.id, b64.id}));
  EXPECT_EQ(find(TextColumn::kAll, "\"quoted\" needle"), Ids{});  // quotes are escaped
  // The index narrows down: only messages with every trigram are candidates.
  EXPECT_EQ(candidates("Marienplatz"), 1u);
  EXPECT_EQ(candidates("no such text anywhere"), 0u);
  EXPECT_EQ(candidates("A long needle of more than thirty-four characters, sampled: café"), 0u);
  EXPECT_EQ(candidates("Ein Caf\xc3\xa9 am Marienplatz, sehr sch\xc3\xb6n."), 1u);
}

TEST_F(ParsedTest, FetchFormsAreThoseOfTheFile) {
  Delivered d = add(kBase64);
  auto forms = fetch_forms(*acc_, {d.id});
  ASSERT_TRUE(forms.ok());
  std::string data = *read_file(message_path(*acc_, d.id));
  message::Part root = message::parse_message(data);
  EXPECT_EQ((*forms)[0].envelope, message::envelope(root));
  EXPECT_EQ((*forms)[0].bodystructure, message::bodystructure(root, true));
  EXPECT_EQ((*forms)[0].body, message::bodystructure(root, false));
}

TEST_F(ParsedTest, MessagesFromBeforeTheIndexAreParsedOnFirstUse) {
  Delivered d = add(kQuotedPrintable);
  auto before = fetch_forms(*acc_, {d.id});
  ASSERT_TRUE(before.ok());
  // As migration 4 leaves a message that was stored before it.
  ASSERT_TRUE(
      acc_->db()
          .exec("UPDATE Message SET Parsed = 0, ImapEnvelope = NULL, ImapBodyStructure = NULL, "
                "ImapBody = NULL; DELETE FROM MessageText")
          .ok());
  EXPECT_EQ(find(TextColumn::kBody, "café"), Ids{});
  auto after = fetch_forms(*acc_, {d.id});  // parsed now, and stored
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].envelope, (*before)[0].envelope);
  EXPECT_EQ((*after)[0].bodystructure, (*before)[0].bodystructure);
  EXPECT_EQ(count("SELECT Parsed FROM Message"), 1);
  EXPECT_EQ(find(TextColumn::kBody, "café"), Ids{d.id});

  ASSERT_TRUE(acc_->db().exec("UPDATE Message SET Parsed = 0; DELETE FROM MessageText").ok());
  ASSERT_TRUE(ensure_parsed(*acc_, inbox_).ok());
  EXPECT_EQ(find(TextColumn::kBody, "café"), Ids{d.id});
  ASSERT_TRUE(ensure_parsed(*acc_, inbox_).ok());  // nothing left to do
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 1);
}

TEST_F(ParsedTest, FormsWithoutTextAreUsedAndTheTextIndexedInBatches) {
  // As SharedAccount leaves mail that its indexer has not reached: the FETCH
  // forms stored, the search text not (Parsed = 0).
  std::vector<int64_t> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(add(kQuotedPrintable).id);
  Delivered last = add(kBase64);
  ASSERT_TRUE(acc_->db().exec("UPDATE Message SET Parsed = 0; DELETE FROM MessageText").ok());
  auto forms = fetch_forms(*acc_, {last.id});  // stored ones, nothing parsed
  ASSERT_TRUE(forms.ok());
  std::string data = *read_file(message_path(*acc_, last.id));
  EXPECT_EQ((*forms)[0].envelope, message::envelope(message::parse_message(data)));
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1"), 0);
  // A search indexes all 151 first (in three transactions).
  ASSERT_TRUE(ensure_parsed(*acc_, inbox_).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1"), 151);
  EXPECT_EQ(find(TextColumn::kBody, "schöne würstchen"), Ids{last.id});
  EXPECT_EQ(find(TextColumn::kBody, "café").size(), 150u);
}

// An index.db of schema version 3 (before the parsed forms) is migrated on
// open, and its messages are parsed on first use.
TEST_F(ParsedTest, MigrationFromVersion3) {
  Delivered qp = add(kQuotedPrintable), b64 = add(kBase64);
  auto expected = fetch_forms(*acc_, {qp.id, b64.id});
  ASSERT_TRUE(expected.ok());
  ASSERT_TRUE(acc_->db()
                  .exec(std::string(testutil::kDropSince10) + testutil::kDropColumnsSince6 +
                        "DROP TRIGGER DiskUsageInsert; DROP TRIGGER DiskUsageUpdate; "
                        "DROP TRIGGER DiskUsageDelete; DROP TABLE DiskUsage; "
                        "DROP TABLE MessageText; DROP INDEX MessageUnparsed; "
                        "ALTER TABLE Message DROP COLUMN Parsed; "
                        "ALTER TABLE Message DROP COLUMN ImapEnvelope; "
                        "ALTER TABLE Message DROP COLUMN ImapBodyStructure; "
                        "ALTER TABLE Message DROP COLUMN ImapBody; PRAGMA user_version = 3")
                  .ok());
  acc_.reset();
  auto a = AccountStore::open(dir_.string(), false);
  ASSERT_TRUE(a.ok()) << a.error().message;
  acc_.emplace(std::move(*a));
  EXPECT_EQ(count("PRAGMA user_version"), static_cast<int64_t>(account_migrations().size()));
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 0"), 2);
  ASSERT_TRUE(ensure_parsed(*acc_, inbox_).ok());
  EXPECT_EQ(find(TextColumn::kBody, "würstchen"), Ids{b64.id});
  auto forms = fetch_forms(*acc_, {qp.id, b64.id});
  ASSERT_TRUE(forms.ok());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*forms)[i].envelope, (*expected)[i].envelope);
    EXPECT_EQ((*forms)[i].bodystructure, (*expected)[i].bodystructure);
    EXPECT_EQ((*forms)[i].body, (*expected)[i].body);
  }
  Delivered after = add(kQuotedPrintable);  // new deliveries are parsed at once
  EXPECT_EQ(find(TextColumn::kBody, "marienplatz"), (Ids{qp.id, after.id}));
}

TEST_F(ParsedTest, CopyMoveExpungeAndDeleteKeepTheIndexInStep) {
  Delivered d = add(kQuotedPrintable);
  ASSERT_TRUE(create_mailbox(*acc_, "Other", "").ok());
  auto copied = copy_messages(*acc_, inbox_, {d.uid}, "Other", false, 0);
  ASSERT_TRUE(copied.ok());
  Ids both = find(TextColumn::kBody, "café");
  EXPECT_EQ(both.size(), 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1"), 2);

  // Move: the source's text goes, the destination's comes.
  int64_t other = (*find_mailbox(*acc_, "Other"))->id;
  ASSERT_TRUE(copy_messages(*acc_, inbox_, {d.uid}, "Trash", true, 0).ok());
  EXPECT_EQ(find(TextColumn::kBody, "café").count(d.id), 0u);
  EXPECT_EQ(find(TextColumn::kBody, "café").size(), 2u);

  // Expunge: the text goes with the message.
  MessageFlags del;
  del.bits = kFlagDeleted;
  ASSERT_TRUE(
      store_flags(*acc_, other, {copied->dest_uids[0]}, FlagOp::kAdd, del, std::nullopt).ok());
  ASSERT_TRUE(expunge(*acc_, other, std::nullopt).ok());
  EXPECT_EQ(find(TextColumn::kBody, "café").size(), 1u);

  // Deleting a mailbox removes its messages' text.
  ASSERT_TRUE(delete_mailbox(*acc_, "Trash").ok());
  EXPECT_EQ(find(TextColumn::kBody, "café").size(), 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 0);
}

// Forms rendered by an older version of the code (FormsVersion below
// kFormsVersion) are rendered again on their next FETCH and stored; the
// search text is left alone.
TEST_F(ParsedTest, FormsOfAnOlderVersionAreRenderedAgain) {
  Delivered d = add(kQuotedPrintable);
  auto expected = fetch_forms(*acc_, {d.id});
  ASSERT_TRUE(expected.ok());
  ASSERT_TRUE(ensure_parsed(*acc_, inbox_).ok());
  ASSERT_TRUE(acc_->db()
                  .exec("UPDATE Message SET ImapEnvelope = 'stale', ImapBodyStructure = 'stale', "
                        "FormsVersion = " +
                        std::to_string(kFormsVersion - 1))
                  .ok());
  auto got = fetch_forms(*acc_, {d.id});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ((*got)[0].envelope, (*expected)[0].envelope);
  EXPECT_EQ((*got)[0].bodystructure, (*expected)[0].bodystructure);
  EXPECT_EQ(count("SELECT FormsVersion FROM Message WHERE ID = " + std::to_string(d.id)),
            kFormsVersion);
  EXPECT_EQ(count("SELECT Parsed FROM Message WHERE ID = " + std::to_string(d.id)), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE ImapEnvelope = 'stale'"), 0);
  // Current forms are read as stored, without the file.
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText WHERE rowid = " + std::to_string(d.id)), 1);
}

}  // namespace
}  // namespace mox::store
