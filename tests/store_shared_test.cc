// Tests for lib/store/shared.*: many threads delivering through one
// SharedAccount (group commit), the prepare/commit/abandon stages, taking a
// delivery back, the lock held only while writing, removal while idle, and
// the batch commit with a failing row (deliver_internal.h).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/check.h"
#include "store/messages.h"
#include "store/parsed.h"
#include "store/shared.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::slurp;
using testutil::TempDir;

class SharedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/accounts/mjl";
    auto a = SharedAccount::open(dir_);
    ASSERT_TRUE(a.ok()) << a.error().message;
    acc_ = *a;
  }

  // An AccountStore of its own, as another process would have.
  AccountStore other() { return std::move(AccountStore::open(dir_, false)).value(); }

  int64_t count(const std::string& sql) {
    AccountStore st = other();
    auto q = st.db().prepare(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }

  // After closing acc_ (which removes the files made in advance and not
  // used): every row has its file and no file lacks a row.
  void expect_clean_after_close() {
    acc_.reset();
    AccountStore st = other();
    auto report = check_account(st, false);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->clean());
  }

  static DeliverRequest text(const std::string& body, const std::string& mailbox = "Inbox") {
    DeliverRequest req;
    req.mailbox = mailbox;
    req.prefix = "Received: test\r\n";
    req.source_data = body;
    return req;
  }

  TempDir tmp_;
  std::string dir_;
  std::shared_ptr<SharedAccount> acc_;
};

TEST_F(SharedTest, ThreadsDeliverConcurrentlyWithDenseUidsAndDistinctModseqs) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> ts;
  std::atomic<int> failures = 0;
  std::vector<std::string> bodies(kThreads * kEach);
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string& body = bodies[static_cast<size_t>(t * kEach + i)];
        body = "Subject: " + std::to_string(t) + "/" + std::to_string(i) + "\r\n\r\nx\r\n";
        auto d = acc_->deliver(text(body));
        if (!d || slurp(message_file_path(dir_, d->id)) != "Received: test\r\n" + body) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures, 0);
  constexpr int kAll = kThreads * kEach;
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), kAll);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT UID) FROM Message"), kAll);
  EXPECT_EQ(count("SELECT MIN(UID) FROM Message"), 1);
  EXPECT_EQ(count("SELECT MAX(UID) FROM Message"), kAll);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT ModSeq) FROM Message"), kAll);
  // A higher UID has a higher modseq (RFC 7162 §3.1), also within a group.
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message a JOIN Message b ON a.UID < b.UID "
                  "WHERE a.ModSeq >= b.ModSeq"),
            0);
  EXPECT_EQ(count("SELECT ModSeq FROM Account"), count("SELECT MAX(ModSeq) FROM Message"));
  EXPECT_EQ(count("SELECT UIDNext FROM Mailbox WHERE Name = 'Inbox'"), kAll + 1);
  expect_clean_after_close();
}

TEST_F(SharedTest, PreparedButNotCommittedLeavesNothing) {
  int64_t id = 0;
  {
    auto p = acc_->prepare(text("Subject: p\r\n\r\n"));
    ASSERT_TRUE(p.ok()) << p.error().message;
    id = p->id();
    EXPECT_EQ(slurp(message_file_path(dir_, id)), "Received: test\r\nSubject: p\r\n\r\n");
  }
  EXPECT_FALSE(path_exists(message_file_path(dir_, id)));
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 0);
  expect_clean_after_close();
}

TEST_F(SharedTest, FilesMadeInAdvanceAreOrphansUntilUsedAndGoWithTheAccount) {
  auto a = acc_->deliver(text("Subject: a\r\n\r\n"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  // The rest of the first block exists, empty, without rows.
  EXPECT_TRUE(path_exists(message_file_path(dir_, a->id + 1)));
  EXPECT_EQ(slurp(message_file_path(dir_, a->id + 1)), "");
  {
    // A check meanwhile removes them as orphans; deliveries go on all the same.
    AccountStore st = other();
    auto r = check_account(st, true);
    ASSERT_TRUE(r.ok());
    EXPECT_GE(r->removed, 1);
    EXPECT_TRUE(r->missing_files.empty());
  }
  EXPECT_FALSE(path_exists(message_file_path(dir_, a->id + 1)));
  auto b = acc_->deliver(text("Subject: b\r\n\r\n"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->id, a->id + 1);
  EXPECT_EQ(slurp(message_file_path(dir_, b->id)), "Received: test\r\nSubject: b\r\n\r\n");
  expect_clean_after_close();  // closing removes the unused rest
}

TEST_F(SharedTest, TheWalIsCheckpointedInTheBackground) {
  // SQLite's automatic checkpoint is replaced by one in a thread of its own:
  // pages still reach the database file, and the WAL starts over.
  auto size = [](const std::string& path) {
    std::error_code ec;
    return static_cast<int64_t>(std::filesystem::file_size(path, ec));
  };
  int64_t before = size(dir_ + "/index.db");
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(acc_->deliver(text("Subject: " + std::to_string(i) + "\r\n\r\n")).ok());
  }
  acc_.reset();  // waits for a checkpoint in progress
  EXPECT_GT(size(dir_ + "/index.db"), before);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 400);
}

TEST_F(SharedTest, FileSourceAndBadRequests) {
  std::string spool = tmp_.path() + "/spool";
  testutil::write_file(spool, "skip me|Subject: f\r\n\r\nbody\r\n");
  DeliverRequest req;
  req.source_path = spool;
  req.source_offset = 8;
  auto d = acc_->deliver(req);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(slurp(message_file_path(dir_, d->id)), "Subject: f\r\n\r\nbody\r\n");

  auto bad = acc_->deliver(text("x", "a//b"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kUser);
  DeliverRequest missing = text("x", "Nope");
  missing.create_mailbox = false;
  auto nf = acc_->deliver(missing);
  ASSERT_FALSE(nf.ok());
  EXPECT_EQ(nf.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 1);
}

TEST_F(SharedTest, RemoveKeepsTheUidAsExpungedWithANewModseq) {
  auto a = acc_->deliver(text("Subject: a\r\n\r\n"));
  auto b = acc_->deliver(text("Subject: b\r\n\r\n"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(acc_->remove(*a).ok());
  EXPECT_FALSE(path_exists(message_file_path(dir_, a->id)));
  AccountStore st = other();
  auto rows = list_messages(st, a->mailbox_id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, b->id);
  // QRESYNC clients that knew the message see it vanish (RFC 7162 §3.2.10).
  auto ch = changes_since(st, a->mailbox_id, b->modseq);
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(ch->expunged, std::vector<int64_t>{a->uid});
  EXPECT_GT(ch->highest_modseq, b->modseq);
  // Twice is an error, not a second expunge.
  auto again = acc_->remove(*a);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
  expect_clean_after_close();
}

TEST_F(SharedTest, LockHeldOnlyWhileWriting) {
  ASSERT_TRUE(acc_->deliver(text("Subject: a\r\n\r\n")).ok());
  {
    // Idle: account removal could take the lock.
    auto l = FileLock::acquire(dir_ + "/lock", FileLock::Mode::kExclusive, false);
    EXPECT_TRUE(l.ok());
  }
  auto p = acc_->prepare(text("Subject: b\r\n\r\n"));
  ASSERT_TRUE(p.ok());
  auto held = FileLock::acquire(dir_ + "/lock", FileLock::Mode::kExclusive, false);
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().kind, ErrorKind::kTemporary);
  ASSERT_TRUE(acc_->commit(std::move(*p)).ok());
  EXPECT_TRUE(FileLock::acquire(dir_ + "/lock", FileLock::Mode::kExclusive, false).ok());
}

TEST_F(SharedTest, RemovedWhileIdleIsStaleAndThePoolOpensAnew) {
  AccountPool pool;
  auto a = pool.get(dir_);
  auto b = pool.get(dir_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  ASSERT_TRUE((*a)->deliver(text("Subject: a\r\n\r\n")).ok());
  // What account removal does once it has the lock: rename the directory away.
  ASSERT_EQ(::rename(dir_.c_str(), (tmp_.path() + "/old").c_str()), 0);
  auto d = (*a)->deliver(text("Subject: b\r\n\r\n"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::kTemporary);
  EXPECT_TRUE((*a)->stale());
  {
    AccountStore old = std::move(AccountStore::open(tmp_.path() + "/old", false)).value();
    auto q = old.db().prepare("SELECT COUNT(*) FROM Message");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->col_int(0), 1);  // nothing written into the removed account
  }
  // A re-created account of the same name is another one.
  auto c = pool.get(dir_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NE(c->get(), a->get());
  auto e = (*c)->deliver(text("Subject: c\r\n\r\n"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->uid, 1);
}

// Whether this process has `path` open.
bool has_open(const std::string& path) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    if (std::filesystem::read_symlink(e.path(), ec) == path) return true;
  }
  return false;
}

TEST_F(SharedTest, PoolClosesAccountsNoSessionHolds) {
  acc_.reset();
  AccountPool pool(0);  // keeps none open besides those in use
  std::string db = std::filesystem::canonical(dir_ + "/index.db").string();
  {
    auto a = pool.get(dir_);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE((*a)->deliver(text("Subject: x\r\n\r\n")).ok());
    EXPECT_TRUE(has_open(db));
  }
  EXPECT_FALSE(has_open(db));
  auto b = pool.get(dir_);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE((*b)->stale());
  EXPECT_TRUE((*b)->deliver(text("Subject: y\r\n\r\n")).ok());
}

TEST_F(SharedTest, PoolKeepsTheAccountsUsedLastOpen) {
  acc_.reset();
  AccountPool pool(1);
  std::string db = std::filesystem::canonical(dir_ + "/index.db").string();
  std::string other_dir = tmp_.path() + "/accounts/other";
  ASSERT_TRUE(pool.get(dir_).ok());
  EXPECT_TRUE(has_open(db));  // kept, though no session holds it
  // Idle and kept open, it holds no lock: account removal could proceed.
  EXPECT_TRUE(FileLock::acquire(dir_ + "/lock", FileLock::Mode::kExclusive, false).ok());
  ASSERT_TRUE(pool.get(other_dir).ok());
  EXPECT_FALSE(has_open(db));  // pushed out by the other one
}

TEST_F(SharedTest, SearchTextIsIndexedBehindDeliveries) {
  auto d = acc_->deliver(text("Subject: needle\r\n\r\nthe quick zebrafish\r\n"));
  ASSERT_TRUE(d.ok()) << d.error().message;
  // The FETCH forms come with the row.
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE ImapEnvelope IS NOT NULL"), 1);
  {
    // A search right away finds it, indexed by the indexer or by the search.
    AccountStore st = other();
    ASSERT_TRUE(ensure_parsed(st, d->mailbox_id).ok());
    auto ids = text_search(st, "ZEBRAfish");
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, std::vector<int64_t>{d->id});
  }
  // The indexer finds it done: indexed once.
  for (int i = 0; i < 500 && acc_->index_backlog() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(acc_->index_backlog(), 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 1);
  expect_clean_after_close();
}

TEST_F(SharedTest, TheIndexerStartsWhenDeliveriesPause) {
  ASSERT_TRUE(acc_->deliver(text("Subject: a\r\n\r\nalpha\r\n")).ok());
  for (int i = 0; i < 500 && count("SELECT COUNT(*) FROM Message WHERE Parsed = 1") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 1);
  EXPECT_EQ(acc_->index_backlog(), 0u);
}

TEST_F(SharedTest, ClosingIndexesWhatWaitsButNotWhatWasExpunged) {
  std::vector<Delivered> ds;
  for (int i = 0; i < 20; ++i) {
    auto d = acc_->deliver(text("Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n"));
    ASSERT_TRUE(d.ok());
    ds.push_back(*d);
  }
  ASSERT_TRUE(acc_->remove(ds[3]).ok());
  acc_.reset();
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1 AND Expunged = 0"), 19);
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText"), 19);
  EXPECT_EQ(count("SELECT COUNT(*) FROM MessageText WHERE rowid = " + std::to_string(ds[3].id)), 0);
}

TEST(CommitRows, AFailingRowFailsAloneInItsGroup) {
  TempDir tmp;
  auto st = AccountStore::open(tmp.path() + "/a", true);
  ASSERT_TRUE(st.ok());
  db::Db& db = st->db();
  ASSERT_TRUE(db.exec("INSERT INTO Mailbox (Name, UIDValidity, UIDNext, CreateModSeq, ModSeq) "
                      "VALUES ('Full', 99, 4294967295, 1, 1)")
                  .ok());
  auto first = reserve_message_ids(db, 4);
  ASSERT_TRUE(first.ok());
  PendingRow ok1{"Inbox", true, 0, {}, *first, 10, {}, false};
  PendingRow full{"Full", true, 0, {}, *first + 1, 10, {}, false};
  PendingRow ok2{"Inbox", true, 0, {}, *first + 2, 10, {}, false};
  commit_rows(db, {&ok1, &full, &ok2});
  ASSERT_TRUE(ok1.result && ok1.result->ok());
  ASSERT_TRUE(ok2.result && ok2.result->ok());
  ASSERT_TRUE(full.result && !full.result->ok());
  EXPECT_EQ(full.result->error().kind, ErrorKind::kPermanent);
  EXPECT_FALSE(full.committing);
  EXPECT_TRUE(ok1.committing && ok2.committing);
  EXPECT_EQ(ok1.result->value().uid, 1);
  EXPECT_EQ(ok2.result->value().uid, 2);
  EXPECT_EQ(ok2.result->value().modseq, ok1.result->value().modseq + 1);
  auto q = db.prepare("SELECT COUNT(*), MAX(ModSeq) FROM Message");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->col_int(0), 2);
  EXPECT_EQ(q->col_int(1), ok2.result->value().modseq);

  // A group where every row fails commits nothing.
  PendingRow alone{"Full", true, 0, {}, *first + 3, 10, {}, false};
  commit_rows(db, {&alone});
  ASSERT_TRUE(alone.result && !alone.result->ok());
}

}  // namespace
}  // namespace mox::store
