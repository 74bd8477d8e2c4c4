// Tests for lib/store/deliver.*, check.*, mailbox.*, flags.*: delivery into
// an account, UIDs and modseqs, concurrent deliveries from two processes,
// crash safety at every crash point, large messages, the consistency check.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "store/check.h"
#include "store/deliver.h"
#include "store/mailbox.h"
#include "store/messages.h"
#include "store/msgfile.h"
#include "store/parsed.h"
#include "store_test_util.h"
#include "util/fs.h"

namespace mox::store {
namespace {

using testutil::run_children;
using testutil::slurp;
using testutil::TempDir;
using testutil::wait_child;
using testutil::write_file;

constexpr char kPrefix[] = "Received: from x.example by mox.example\r\n";

class DeliverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/accounts/mjl";
    auto st = AccountStore::open(dir_, true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    store_.emplace(std::move(st).value());
    spool_ = tmp_.path() + "/spool";
  }

  Result<Delivered> deliver_text(const std::string& mailbox, const std::string& msg) {
    write_file(spool_, msg);
    DeliverRequest req;
    req.mailbox = mailbox;
    req.prefix = kPrefix;
    req.source_path = spool_;
    return deliver(*store_, req);
  }

  int64_t count(const std::string& sql) {
    auto q = store_->db().prepare(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }

  TempDir tmp_;
  std::string dir_, spool_;
  std::optional<AccountStore> store_;
};

TEST_F(DeliverTest, InboxThenNewMailboxUidsAndModseqsIncrease) {
  auto a = deliver_text("Inbox", "Subject: a\r\n\r\nhello\r\n");
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = deliver_text("INBOX", "Subject: b\r\n\r\nhello again\r\n");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a->mailbox_id, b->mailbox_id);  // INBOX is case-insensitive
  EXPECT_EQ(a->uid, 1);
  EXPECT_EQ(b->uid, 2);
  EXPECT_GT(b->modseq, a->modseq);
  EXPECT_GT(b->id, a->id);
  EXPECT_EQ(a->size, static_cast<int64_t>(sizeof(kPrefix) - 1 + 21));
  EXPECT_EQ(slurp(message_file_path(dir_, a->id)),
            std::string(kPrefix) + "Subject: a\r\n\r\nhello\r\n");

  auto c = deliver_text("Lists/mox/dev", "Subject: c\r\n\r\n.\r\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->uid, 1);
  EXPECT_GT(c->modseq, b->modseq);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Mailbox WHERE Name IN ('Lists', 'Lists/mox', "
                  "'Lists/mox/dev') AND CreateModSeq = " +
                  std::to_string(c->modseq)),
            3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Subscription WHERE Name = 'Lists/mox/dev'"), 1);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT UIDValidity) FROM Mailbox"),
            count("SELECT COUNT(*) FROM Mailbox"));
  EXPECT_EQ(count("SELECT ModSeq FROM Account"), c->modseq);
  EXPECT_EQ(count("SELECT ModSeq FROM Mailbox WHERE ID = " + std::to_string(c->mailbox_id)),
            c->modseq);
  EXPECT_EQ(count("SELECT UIDNext FROM Mailbox WHERE Name = 'Inbox'"), 3);
  EXPECT_EQ(count("SELECT ModSeq FROM Message WHERE ID = " + std::to_string(b->id)), b->modseq);

  auto d = deliver_text("Postmaster", "x");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->uid, 1);
  auto report = check_account(*store_, false);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

TEST_F(DeliverTest, FlagsKeywordsAndReceivedAreStored) {
  write_file(spool_, "Subject: f\r\n\r\n");
  DeliverRequest req;
  req.source_path = spool_;
  req.received = 1700000000;
  auto flags = parse_flags({"\\Seen", "$junk", "Project-X", "project-x", "\\flagged"});
  ASSERT_TRUE(flags.ok());
  req.flags = *flags;
  auto d = deliver(*store_, req);
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto q = store_->db().prepare("SELECT Flags, Keywords, Received, Size FROM Message WHERE ID = ?");
  ASSERT_TRUE(q.ok());
  q->bind(1, d->id);
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->col_int(0), kFlagSeen | kFlagJunk | kFlagFlagged);
  EXPECT_EQ(q->col_text(1), "project-x");
  EXPECT_EQ(q->col_int(2), 1700000000);
  EXPECT_EQ(q->col_int(3), 14);

  req.flags = MessageFlags{0, {"Upper"}};  // not as parse_flags makes them
  auto bad = deliver(*store_, req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kUser);
}

TEST(Flags, Parse) {
  EXPECT_FALSE(parse_flags({"\\Recent"}).ok());
  EXPECT_FALSE(parse_flags({"\\Bogus"}).ok());
  EXPECT_FALSE(parse_flags({"has space"}).ok());
  EXPECT_FALSE(parse_flags({"brace{"}).ok());
  EXPECT_FALSE(parse_flags({""}).ok());
  auto f = parse_flags({"\\ANSWERED", "$Forwarded", "$MDNSent", "Work", "$label1"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->bits, kFlagAnswered | kFlagForwarded | kFlagMDNSent);
  EXPECT_EQ(f->keywords, (std::vector<std::string>{"work", "$label1"}));
  EXPECT_EQ(keywords_column(f->keywords), "work $label1");
}

TEST(MailboxName, Normalize) {
  EXPECT_EQ(*normalize_mailbox_name("inbox"), "Inbox");
  EXPECT_EQ(*normalize_mailbox_name("INBOX/Sub"), "Inbox/Sub");
  EXPECT_EQ(*normalize_mailbox_name("Inboxes"), "Inboxes");
  EXPECT_EQ(*normalize_mailbox_name("Ünïcode/日本"), "Ünïcode/日本");
  for (const char* bad : {"", "/a", "a/", "a//b", "#news", "a%", "b*", "tab\there", "\xff"}) {
    EXPECT_FALSE(normalize_mailbox_name(bad).ok()) << bad;
  }
}

TEST_F(DeliverTest, BadMailboxAndMissingMailboxWithoutCreate) {
  auto bad = deliver_text("a//b", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kUser);

  DeliverRequest req;
  req.mailbox = "Nope";
  req.create_mailbox = false;
  req.source_path = spool_;
  auto r = deliver(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(count("SELECT NextMessageID FROM Account"), 1);  // nothing reserved

  req.mailbox = "Archive";
  EXPECT_TRUE(deliver(*store_, req).ok());

  req.source_path = tmp_.path() + "/does-not-exist";
  auto missing = deliver(*store_, req);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(DeliverTest, MessageIdsAreNeverReusedAndMustBeReserved) {
  auto a = deliver_text("Inbox", "one");
  ASSERT_TRUE(a.ok());
  // Erase the message entirely, as a later expunge + cleanup would.
  ASSERT_TRUE(store_->db().exec("DELETE FROM Message").ok());
  ASSERT_EQ(::unlink(message_file_path(dir_, a->id).c_str()), 0);
  auto b = deliver_text("Inbox", "two");
  ASSERT_TRUE(b.ok());
  EXPECT_GT(b->id, a->id);
  // A row with an automatic or unreserved ID is refused by the trigger.
  EXPECT_FALSE(store_->db()
                   .exec("INSERT INTO Message (MailboxID, UID, ModSeq, CreateModSeq, Received, "
                         "SaveDate, Size) VALUES (1, 99, 1, 1, 0, 0, 0)")
                   .ok());
  EXPECT_FALSE(store_->db()
                   .exec("INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, "
                         "Received, SaveDate, Size) VALUES (1000, 1, 99, 1, 1, 0, 0, 0)")
                   .ok());
}

TEST_F(DeliverTest, CrossesIntoANewMessageDirectory) {
  // 8192 files per directory: IDs 8191 and 8192 live in "a" and "b".
  ASSERT_TRUE(store_->db().exec("UPDATE Account SET NextMessageID = 8190").ok());
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    auto d = deliver_text("Inbox", "m" + std::to_string(i));
    ASSERT_TRUE(d.ok()) << d.error().message;
    ids.push_back(d->id);
    EXPECT_EQ(slurp(message_file_path(dir_, d->id)),
              std::string(kPrefix) + "m" + std::to_string(i));
  }
  EXPECT_EQ(ids.front(), 8190);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/msg/a/8191"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/msg/b/8192"));
  auto report = check_account(*store_, false);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

TEST_F(DeliverTest, FiveMebibytesStreamFromFdAtOffsetAndFromAPipe) {
  std::string body = pattern(5 << 20, 7);
  write_file(spool_, "JUNKJUNK" + body);
  int fd = ::open(spool_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  DeliverRequest req;
  req.prefix = kPrefix;
  req.source_fd = fd;
  req.source_offset = 8;
  auto d = deliver(*store_, req);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 0);  // the caller's offset is untouched
  ::close(fd);
  EXPECT_EQ(d->size, static_cast<int64_t>(sizeof(kPrefix) - 1 + body.size()));
  EXPECT_TRUE(slurp(message_file_path(dir_, d->id)) == std::string(kPrefix) + body);

  // A pipe has no offsets: read to EOF with a buffer.
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::string small = pattern(200000, 9);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    size_t off = 0;
    while (off < small.size()) {
      ssize_t n = ::write(p[1], small.data() + off, small.size() - off);
      if (n <= 0) ::_exit(1);
      off += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  DeliverRequest preq;
  preq.source_fd = p[0];
  auto e = deliver(*store_, preq);
  ::close(p[0]);
  EXPECT_EQ(wait_child(pid), 0);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(slurp(message_file_path(dir_, e->id)) == small);
}

std::string numbered_message(int child, int i) {
  std::string subject = "c" + std::to_string(child) + "-m" + std::to_string(i);
  return "Subject: " + subject + "\r\n\r\n" +
         pattern(1000 + static_cast<size_t>(i) * 37, static_cast<unsigned>(child * 1000 + i));
}

TEST_F(DeliverTest, ConcurrentDeliveriesFromTwoProcesses) {
  constexpr int kChildren = 2, kEach = 50;
  store_.reset();  // the children open their own connections
  auto statuses = run_children(kChildren, [&](int c) {
    auto st = AccountStore::open(dir_, false);
    if (!st) return 2;
    std::string spool = spool_ + std::to_string(c);
    for (int i = 0; i < kEach; ++i) {
      write_file(spool, numbered_message(c, i));
      DeliverRequest req;
      req.source_path = spool;
      req.mailbox = i % 2 ? "Inbox" : "Shared/Box";
      auto d = deliver(*st, req);
      if (!d) {
        fprintf(stderr, "child %d: %s\n", c, d.error().message.c_str());
        return 3;
      }
    }
    return 0;
  });
  EXPECT_EQ(statuses, std::vector<int>(kChildren, 0));

  auto st = AccountStore::open(dir_, false);
  ASSERT_TRUE(st.ok());
  auto q = st->db().prepare(
      "SELECT m.ID, m.UID, m.ModSeq, b.Name FROM Message m JOIN Mailbox b ON b.ID = m.MailboxID");
  ASSERT_TRUE(q.ok());
  std::map<std::string, std::set<int64_t>> uids;
  std::set<int64_t> modseqs;
  std::set<std::string> subjects;
  int rows = 0;
  while (*q->step()) {
    ++rows;
    int64_t id = q->col_int(0);
    EXPECT_TRUE(uids[q->col_text(3)].insert(q->col_int(1)).second);
    EXPECT_TRUE(modseqs.insert(q->col_int(2)).second);
    std::string content = slurp(message_file_path(dir_, id));
    std::string subject = content.substr(9, content.find("\r\n") - 9);
    int c = 0, i = 0;
    ASSERT_EQ(std::sscanf(subject.c_str(), "c%d-m%d", &c, &i), 2) << subject;
    EXPECT_TRUE(content == numbered_message(c, i)) << subject;
    EXPECT_TRUE(subjects.insert(subject).second);
  }
  EXPECT_EQ(rows, kChildren * kEach);
  EXPECT_EQ(subjects.size(), static_cast<size_t>(kChildren * kEach));
  for (const auto& [name, set] : uids) {
    EXPECT_EQ(set.size(), static_cast<size_t>(kEach));
    EXPECT_EQ(*set.begin(), 1);
    EXPECT_EQ(*set.rbegin(), kEach);  // dense: 1..50
  }
  auto report = check_account(*st, false);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

struct CrashCase {
  const char* point;
  size_t rows, orphans, temps;
};

class DeliverCrashTest : public DeliverTest, public ::testing::WithParamInterface<CrashCase> {};

TEST_P(DeliverCrashTest, KilledDeliveryLeavesNoRowWithoutFile) {
  const CrashCase& cc = GetParam();
  ASSERT_TRUE(deliver_text("Inbox", "before").ok());
  write_file(spool_, "Subject: crash\r\n\r\nbody\r\n");
  store_.reset();  // no SQLite connection may cross a fork
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    set_crash_hook(kill_at(cc.point));  // as cmd/ installs it for MOX_CRASHPOINT
    auto st = AccountStore::open(dir_, false);
    if (!st) ::_exit(2);
    DeliverRequest req;
    req.source_path = spool_;
    (void)deliver(*st, req);
    ::_exit(3);  // not reached: the crash point kills the process
  }
  EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
  store_.emplace(std::move(AccountStore::open(dir_, false)).value());

  auto report = check_account(*store_, false);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->missing_files.empty());
  EXPECT_TRUE(report->unexpected_files.empty());
  EXPECT_EQ(report->orphan_files.size(), cc.orphans);
  EXPECT_EQ(report->stale_temp_files.size(), cc.temps);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), static_cast<int64_t>(cc.rows));

  auto repaired = check_account(*store_, true);
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->removed, static_cast<int64_t>(cc.orphans + cc.temps));
  auto after = check_account(*store_, false);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->clean());
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), static_cast<int64_t>(cc.rows));

  // The store goes on working, with a fresh ID (IDs come in blocks per
  // process: the child's block is never handed out again).
  auto next = deliver_text("Inbox", "after");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_GE(next->id, 2);
  auto again = check_account(*store_, false);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->clean());
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, DeliverCrashTest,
                         ::testing::Values(CrashCase{"deliver-after-reserve", 1, 0, 0},
                                           CrashCase{"deliver-after-write", 1, 1, 0},
                                           CrashCase{"deliver-after-file", 1, 1, 0},
                                           CrashCase{"deliver-after-commit", 2, 0, 0}),
                         [](const auto& info) {
                           std::string n = info.param.point;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST_F(DeliverTest, CheckFindsRowWithoutFileAndNeverRemovesRows) {
  auto a = deliver_text("Inbox", "a");
  auto b = deliver_text("Inbox", "b");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(::unlink(message_file_path(dir_, a->id).c_str()), 0);
  write_file(dir_ + "/msg/a/0" + std::to_string(b->id), "not a message name");
  auto r = check_account(*store_, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->missing_files, std::vector<int64_t>{a->id});
  EXPECT_EQ(r->unexpected_files.size(), 1u);
  EXPECT_EQ(r->removed, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Message"), 2);
  // An expunged message leaves no row behind to miss its file.
  ASSERT_TRUE(undeliver(*store_, *a).ok());
  auto r2 = check_account(*store_, false);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->missing_files.empty());
  EXPECT_TRUE(r2->vanished_live.empty());
  // A live message whose UID is also listed as expunged is reported.
  ASSERT_TRUE(store_->db()
                  .exec("INSERT INTO ExpungedUID (MailboxID, FirstUID, LastUID, ModSeq) "
                        "SELECT MailboxID, UID, UID, ModSeq FROM Message WHERE ID = " +
                        std::to_string(b->id))
                  .ok());
  auto r3 = check_account(*store_, false);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->vanished_live, std::vector<int64_t>{b->id});
  EXPECT_FALSE(r3->clean());
}

TEST_F(DeliverTest, CheckWaitsForMessageWritesInFlight) {
  // A delivery between rename and commit holds the lock shared; its file
  // must not be taken for an orphan, so check_account waits for it.
  auto writer = lock_message_files(dir_, FileLock::Mode::kShared);
  ASSERT_TRUE(writer.ok());
  std::atomic<bool> done = false;
  std::thread t([&] {
    auto r = check_account(*store_, true);
    EXPECT_TRUE(r.ok());
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(done);
  writer->release();
  t.join();
  EXPECT_TRUE(done);
}

// Mail from outside carries the results of the checks of its origin
// (store/deliver.h MessageAuth) in its row, and a copy keeps them.
TEST_F(DeliverTest, MessageAuthStoredAndCopied) {
  write_file(spool_, "From: a@example.org\r\n\r\nhi\r\n");
  DeliverRequest req;
  req.source_path = spool_;
  MessageAuth a;
  a.remote_ip = "192.0.2.7";
  a.ehlo_domain = "mail.example.org";
  a.mail_from = "bounce@example.org";
  a.mail_from_domain = "example.org";
  a.msg_from_domain = "example.org";
  a.msg_from_org_domain = "example.org";
  a.spf = "pass";
  a.helo_spf = "none";
  a.dkim_domains = "example.org sig.example";
  a.dmarc = "pass";
  a.iprev = "fail";
  a.mail_from_validated = true;
  a.msg_from_validated = true;
  req.auth = a;
  auto d = deliver(*store_, req);
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto got = load_message_auth(store_->db(), d->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const MessageAuth& g = **got;
  EXPECT_EQ(g.remote_ip, "192.0.2.7");
  EXPECT_EQ(g.ehlo_domain, "mail.example.org");
  EXPECT_EQ(g.mail_from, "bounce@example.org");
  EXPECT_EQ(g.spf, "pass");
  EXPECT_EQ(g.dkim_domains, "example.org sig.example");
  EXPECT_EQ(g.dmarc, "pass");
  EXPECT_EQ(g.iprev, "fail");
  EXPECT_FALSE(g.ehlo_validated);
  EXPECT_TRUE(g.mail_from_validated);
  EXPECT_TRUE(g.msg_from_validated);

  auto c = copy_messages(*store_, d->mailbox_id, {d->uid}, "Archive", false, 0);
  ASSERT_TRUE(c.ok()) << c.error().message;
  int64_t copy = count("SELECT MAX(ID) FROM Message");
  auto gc = load_message_auth(store_->db(), copy);
  ASSERT_TRUE(gc.ok() && gc->has_value());
  EXPECT_EQ((*gc)->dmarc, "pass");
  EXPECT_EQ((*gc)->remote_ip, "192.0.2.7");

  // A message without checks (submission, APPEND) has empty results.
  auto plain = deliver_text("Inbox", "From: b@example.org\r\n\r\nx\r\n");
  ASSERT_TRUE(plain.ok());
  auto gp = load_message_auth(store_->db(), plain->id);
  ASSERT_TRUE(gp.ok() && gp->has_value());
  EXPECT_EQ((*gp)->spf, "");
}

}  // namespace
}  // namespace mox::store
