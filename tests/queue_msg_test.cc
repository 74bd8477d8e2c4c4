// Tests for lib/queue/msg.h (and the adding half of queuedb.h): the
// filters of mox-queue (mox-queue(8) "Verbs") over real rows added with
// add_message, holding, rescheduling, retiring with and without a keep
// period, recording retries and purging retired messages.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "queue/msg.h"
#include "queue/queuedb.h"
#include "queue_test_util.h"

namespace mox::queue {
namespace {

using testing::QueueFixture;
using testing::Submission;

constexpr int64_t kNow = 1'700'000'000;

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class QueueMsgTest : public QueueFixture {
 protected:
  // Five messages:
  //   a: mjl   mjl@example.com   → rcpt@remote.example   queued now-2h
  //   b: mjl   mjl@example.com   → other@remote.example  queued now-30m
  //   c: mjl   Alias@Example.com → rcpt@elsewhere.example queued now-10m
  //   d: other x@other.example   → rcpt@remote.example   queued now
  //   e: other x@other.example   → y@elsewhere.example   queued now
  void add_five() {
    a_ = add_one("rcpt@remote.example", kNow - 7200);
    b_ = add_one("other@remote.example", kNow - 1800);
    c_ = add_one("rcpt@elsewhere.example", kNow - 600, "mjl", "Alias@Example.com");
    d_ = add_one("rcpt@remote.example", kNow, "other", "x@other.example");
    e_ = add_one("y@elsewhere.example", kNow, "other", "x@other.example");
    ASSERT_TRUE(a_ && b_ && c_ && d_ && e_);
  }
  // The IDs of messages "a".."e", in the order given.
  std::vector<int64_t> want(std::string_view letters) const {
    const int64_t all[] = {a_, b_, c_, d_, e_};
    std::vector<int64_t> out;
    for (char l : letters) out.push_back(all[l - 'a']);
    return out;
  }
  int64_t a_ = 0, b_ = 0, c_ = 0, d_ = 0, e_ = 0;
};

TEST_F(QueueMsgTest, AddMessageRowsAndFiles) {
  Submission s;
  s.to = {"one@remote.example", "two@remote.example", "three@elsewhere.example"};
  s.prefix = "Received: from client.example\r\n";
  s.dkim_prefix = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com\r\n";
  auto ids = add(s, kNow);
  ASSERT_EQ(ids.size(), 3u);
  // One row per recipient, sharing the first one's ID as BaseID.
  for (int64_t id : ids) {
    auto m = get_message(db_, id);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->base_id, ids[0]);
    EXPECT_EQ(m->queued, kNow);
    EXPECT_EQ(m->next_attempt, kNow);  // attempt 1 is immediate
    EXPECT_EQ(m->attempts, 0);
    EXPECT_EQ(m->last_attempt, 0);
    EXPECT_EQ(m->results, "[]");
    EXPECT_FALSE(m->hold);
    EXPECT_EQ(m->sender(), "mjl@example.com");
    EXPECT_EQ(m->sender_account, "mjl");
    EXPECT_EQ(m->msg_prefix, s.dkim_prefix);
    EXPECT_EQ(m->size,
              static_cast<int64_t>(s.prefix.size() + s.dkim_prefix.size() + s.text.size()));
    // The file holds the prefix and the message; MsgPrefix is not in it.
    auto p = message_path(data_, *m);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(mox::testutil::slurp(*p), s.prefix + s.text);
    EXPECT_EQ(jget(m->json(), "$.Recipient"), m->recipient());
    EXPECT_EQ(jget(m->json(), "$.DKIMSigned"), "1");
  }
  EXPECT_EQ(get_message(db_, ids[1])->recipient(), "two@remote.example");
  EXPECT_EQ(get_message(db_, ids[2])->recipient_domain, "elsewhere.example");
  // The files are hard links of one file.
  struct stat st;
  ASSERT_EQ(::stat(queue_message_path(data_, ids[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 3u);
  // No recipients: refused.
  s.to.clear();
  NewMessage empty;
  empty.sender_account = "mjl";
  auto r = add_message(db_, data_, empty, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUser);
}

TEST_F(QueueMsgTest, IdsAreNeverReusedWhileRetired) {
  int64_t first = add_one("a@remote.example", kNow);
  ASSERT_TRUE(retire(db_, data_, first, AttemptResult{}, 3600, kNow).ok());
  int64_t second = add_one("b@remote.example", kNow);
  EXPECT_GT(second, first);
}

TEST_F(QueueMsgTest, GetMissing) {
  auto m = get_message(db_, 42);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, ErrorKind::kNotFound);
  auto r = get_retired(db_, 42);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
}

TEST_F(QueueMsgTest, FilterAccount) {
  add_five();
  Filter f;
  f.account = "other";
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{d_, e_}));
  f.account = "nobody";
  EXPECT_TRUE(ids_of(f, kNow).empty());
}

TEST_F(QueueMsgTest, FilterFromAndTo) {
  add_five();
  struct Case {
    const char *from, *to, *want;
  };
  // Domains are compared in lower case, localparts as written; "@domain" is
  // a whole domain; from and to together must both match.
  const Case cases[] = {
      {"mjl@example.com", "", "ab"},
      {"@EXAMPLE.com", "", "abc"},
      {"Alias@example.com", "", "c"},
      {"@other.example", "", "de"},
      {"nobody@example.com", "", ""},
      {"", "rcpt@remote.example", "ad"},
      {"", "@remote.example", "abd"},
      {"", "@elsewhere.example", "ce"},
      {"@other.example", "@elsewhere.example", "e"},
  };
  for (const auto& c : cases) {
    Filter f;
    f.from = c.from;
    f.to = c.to;
    EXPECT_EQ(ids_of(f, kNow), want(c.want)) << "from " << c.from << " to " << c.to;
  }
}

TEST_F(QueueMsgTest, FilterBadAddress) {
  add_five();
  for (const char* bad : {"no-at-sign", "user@", "@"}) {
    Filter f;
    f.to = bad;
    auto l = list_messages(db_, f, kNow);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_EQ(l.error().kind, ErrorKind::kUser);
    EXPECT_NE(l.error().message.find(bad), std::string::npos) << l.error().message;
    Filter g;
    g.from = bad;
    EXPECT_FALSE(list_messages(db_, g, kNow).ok()) << bad;
  }
}

TEST_F(QueueMsgTest, FilterIdsAndMax) {
  add_five();
  EXPECT_EQ(ids_of(ids_filter({e_, b_, 9999}), kNow), (std::vector<int64_t>{b_, e_}));
  Filter f;
  f.max = 2;
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_, b_}));
  f.max = 0;  // no limit
  EXPECT_EQ(ids_of(f, kNow).size(), 5u);
}

TEST_F(QueueMsgTest, HoldAndFilterHold) {
  add_five();
  Filter f;
  f.to = "@remote.example";
  auto n = set_hold(db_, f, true, kNow);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  Filter held;
  held.hold = true;
  EXPECT_EQ(ids_of(held, kNow), (std::vector<int64_t>{a_, b_, d_}));
  held.hold = false;
  EXPECT_EQ(ids_of(held, kNow), (std::vector<int64_t>{c_, e_}));
  EXPECT_TRUE(get_message(db_, a_)->hold);
  // Release just one.
  n = set_hold(db_, ids_filter({b_}), false, kNow);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(get_message(db_, b_)->hold);
  // Nothing matches: zero, no error.
  Filter none;
  none.account = "nobody";
  n = set_hold(db_, none, true, kNow);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

TEST_F(QueueMsgTest, FilterSubmitted) {
  add_five();
  Filter f;
  f.submitted = *DurationFilter::parse("<1h");  // queued less than an hour ago
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{b_, c_, d_, e_}));
  f.submitted = *DurationFilter::parse(">1h");
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_}));
  f.submitted = *DurationFilter::parse(">15m");
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_, b_}));
  // Relative to the `now` given, not the wall clock.
  f.submitted = *DurationFilter::parse("<1h");
  EXPECT_TRUE(ids_of(f, kNow + 86400).empty());
}

TEST_F(QueueMsgTest, FilterNextAttempt) {
  add_five();
  // Everything is due at its Queued time; move b 2 h and d 10 min ahead.
  ASSERT_EQ(*reschedule(db_, ids_filter({b_}), true, 7200, kNow), 1);
  ASSERT_EQ(*reschedule(db_, ids_filter({d_}), true, 600, kNow), 1);
  Filter f;
  f.next_attempt = *DurationFilter::parse(">1h");  // due more than an hour from now
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{b_}));
  f.next_attempt = *DurationFilter::parse("<1h");
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_, c_, e_, d_}));
  f.next_attempt = *DurationFilter::parse(">5m");
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{d_, b_}));
}

TEST_F(QueueMsgTest, SortOrders) {
  add_five();
  ASSERT_EQ(*reschedule(db_, ids_filter({a_}), true, 3600, kNow), 1);
  Filter f;  // NextAttempt ascending, then ID
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{b_, c_, d_, e_, a_}));
  f.asc = false;
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_, d_, e_, c_, b_}));
  f.sort = "queued";
  f.asc = true;
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_, b_, c_, d_, e_}));
  f.asc = false;
  auto got = ids_of(f, kNow);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[4], a_);
  EXPECT_EQ(got[3], b_);
  // max applies after sorting.
  f.max = 1;
  EXPECT_EQ(ids_of(f, kNow).size(), 1u);
  f.asc = true;
  EXPECT_EQ(ids_of(f, kNow), (std::vector<int64_t>{a_}));
}

TEST_F(QueueMsgTest, RescheduleFromNowAndRelative) {
  add_five();
  // From now: NextAttempt = now + seconds, whatever it was.
  auto n = reschedule(db_, ids_filter({a_, b_}), true, 900, kNow);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(get_message(db_, a_)->next_attempt, kNow + 900);
  EXPECT_EQ(get_message(db_, b_)->next_attempt, kNow + 900);
  // Relative: NextAttempt += seconds (negative moves it earlier).
  n = reschedule(db_, ids_filter({a_, c_}), false, -300, kNow);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(get_message(db_, a_)->next_attempt, kNow + 600);
  EXPECT_EQ(get_message(db_, c_)->next_attempt, kNow - 600 - 300);
  EXPECT_EQ(get_message(db_, b_)->next_attempt, kNow + 900);  // not matched
  Filter none;
  none.account = "nobody";
  EXPECT_EQ(*reschedule(db_, none, true, 1, kNow), 0);
}

TEST_F(QueueMsgTest, RetireWithKeepPeriod) {
  add_five();
  std::string file = queue_message_path(data_, a_);
  ASSERT_TRUE(exists(file));
  AttemptResult r;
  r.start = kNow;
  r.duration_ms = 12;
  r.success = true;
  r.code = 250;
  r.secode = "2.0.0";
  r.error = "ok queued as 123";
  r.host = "mx.remote.example";
  auto st = retire(db_, data_, a_, r, 86400, kNow + 5);
  ASSERT_TRUE(st.ok()) << st.error().message;
  // Gone from the queue, its file removed, kept as retired.
  EXPECT_EQ(get_message(db_, a_).error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(exists(file));
  auto m = get_retired(db_, a_);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_TRUE(m->success);
  EXPECT_EQ(m->last_activity, kNow + 5);
  EXPECT_EQ(m->keep_until, kNow + 5 + 86400);
  EXPECT_EQ(m->attempts, 1);
  EXPECT_EQ(m->last_attempt, kNow);
  EXPECT_EQ(m->last_code, 250);
  EXPECT_EQ(m->last_secode, "2.0.0");
  EXPECT_EQ(m->last_error, "ok queued as 123");
  EXPECT_EQ(m->recipient(), "rcpt@remote.example");
  ASSERT_EQ(jlen(m->results), 1) << m->results;
  EXPECT_EQ(jget(m->results, "$[0].Host"), "mx.remote.example");
  EXPECT_EQ(jget(m->results, "$[0].Duration"), "12");
  EXPECT_EQ(jget(m->results, "$[0].Success"), "1");
  EXPECT_EQ(jget(m->json(), "$.Success"), "1");
  EXPECT_EQ(jget(m->json(), "$.KeepUntil"), std::to_string(kNow + 5 + 86400));
  // The retired list and its filters.
  Filter f;
  f.success = true;
  auto l = list_retired(db_, f, kNow);
  ASSERT_TRUE(l.ok()) << l.error().message;
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].id, a_);
  f.success = false;
  EXPECT_TRUE(list_retired(db_, f, kNow)->empty());
  // A second retire of the same message: not found, nothing changes.
  st = retire(db_, data_, a_, r, 86400, kNow);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(scalar("SELECT count(*) FROM MsgRetired"), 1);
}

TEST_F(QueueMsgTest, RetireAdministratorActionDoesNotCountAsAttempt) {
  add_five();
  AttemptResult r;
  r.start = kNow;
  r.counts = false;
  r.secode = "5.3.0";
  r.error = "dropped by the administrator";
  ASSERT_TRUE(retire(db_, data_, b_, r, 3600, kNow).ok());
  auto m = get_retired(db_, b_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 0);
  EXPECT_FALSE(m->success);
  EXPECT_EQ(m->last_error, "dropped by the administrator");
}

TEST_F(QueueMsgTest, RetireWithoutKeepPeriodDeletes) {
  add_five();
  std::string file = queue_message_path(data_, c_);
  AttemptResult r;
  r.start = kNow;
  r.code = 550;
  r.secode = "5.1.1";
  r.error = "no such user";
  ASSERT_TRUE(retire(db_, data_, c_, r, 0, kNow).ok());
  EXPECT_EQ(get_message(db_, c_).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(get_retired(db_, c_).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(scalar("SELECT count(*) FROM MsgRetired"), 0);
  EXPECT_FALSE(exists(file));
  EXPECT_EQ(scalar("SELECT count(*) FROM Msg"), 4);
}

TEST_F(QueueMsgTest, RetireOneRecipientKeepsTheOthersFile) {
  Submission s;
  s.to = {"one@remote.example", "two@remote.example"};
  auto ids = add(s, kNow);
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(retire(db_, data_, ids[0], AttemptResult{}, 0, kNow).ok());
  auto m = get_message(db_, ids[1]);
  ASSERT_TRUE(m.ok());
  auto p = message_path(data_, *m);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(mox::testutil::slurp(*p), s.text);
}

TEST_F(QueueMsgTest, RecordRetry) {
  add_five();
  exec("UPDATE Msg SET LeaseOwner='host:1:abc', LeaseUntil=" + std::to_string(kNow + 3600) +
       " WHERE ID=" + std::to_string(d_));
  AttemptResult r;
  r.start = kNow;
  r.duration_ms = 30;
  r.code = 451;
  r.secode = "4.3.0";
  r.error = "try again \"later\"";
  r.host = "mx1.remote.example";
  auto st = record_retry(db_, d_, r, kNow + 450);
  ASSERT_TRUE(st.ok()) << st.error().message;
  r.start = kNow + 450;
  r.code = 0;
  r.secode = "4.4.1";
  r.error = "connection refused";
  st = record_retry(db_, d_, r, kNow + 450 + 900);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto m = get_message(db_, d_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 2);
  EXPECT_EQ(m->next_attempt, kNow + 1350);
  EXPECT_EQ(m->last_attempt, kNow + 450);
  EXPECT_EQ(m->last_code, 0);
  EXPECT_EQ(m->last_secode, "4.4.1");
  EXPECT_EQ(m->last_error, "connection refused");
  // The lease has ended.
  EXPECT_EQ(scalar("SELECT LeaseUntil FROM Msg WHERE ID=" + std::to_string(d_)), 0);
  EXPECT_EQ(scalar("SELECT LeaseOwner='' FROM Msg WHERE ID=" + std::to_string(d_)), 1);
  // Both attempts in Results, in order, text escaped.
  ASSERT_EQ(jlen(m->results), 2) << m->results;
  EXPECT_EQ(jget(m->results, "$[0].Code"), "451");
  EXPECT_EQ(jget(m->results, "$[0].Error"), "try again \"later\"");
  EXPECT_EQ(jget(m->results, "$[0].Start"), std::to_string(kNow));
  EXPECT_EQ(jget(m->results, "$[0].Success"), "0");
  EXPECT_EQ(jget(m->results, "$[0].Duration"), "30");
  EXPECT_EQ(jget(m->results, "$[1].Secode"), "4.4.1");
  EXPECT_EQ(jget(m->results, "$[1].Host"), "mx1.remote.example");
  EXPECT_EQ(jget(m->json(), "$.Attempts"), "2");
  // The file is still there for the next attempt.
  EXPECT_TRUE(exists(queue_message_path(data_, d_)));
  // A missing message.
  st = record_retry(db_, 9999, r, kNow);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
}

TEST_F(QueueMsgTest, PurgeRetired) {
  add_five();
  ASSERT_TRUE(retire(db_, data_, a_, AttemptResult{}, 100, kNow).ok());
  ASSERT_TRUE(retire(db_, data_, b_, AttemptResult{}, 1000, kNow).ok());
  auto n = purge_retired(db_, kNow + 100);  // KeepUntil < now only
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  n = purge_retired(db_, kNow + 101);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(get_retired(db_, a_).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(get_retired(db_, b_).ok());
  n = purge_retired(db_, kNow + 5000);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM MsgRetired"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM Msg"), 3);  // queued messages are untouched
}

TEST_F(QueueMsgTest, RetiredLastActivityFilter) {
  add_five();
  ASSERT_TRUE(retire(db_, data_, a_, AttemptResult{}, 86400, kNow - 7200).ok());
  ASSERT_TRUE(retire(db_, data_, b_, AttemptResult{}, 86400, kNow - 60).ok());
  Filter f;
  f.last_activity = *DurationFilter::parse("<1h");
  auto l = list_retired(db_, f, kNow);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].id, b_);
  f.last_activity = *DurationFilter::parse(">1h");
  l = list_retired(db_, f, kNow);
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].id, a_);
}

TEST(QueueDurationFilter, Parse) {
  auto d = DurationFilter::parse("<1h");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->less);
  EXPECT_EQ(d->seconds, 3600);
  d = DurationFilter::parse(">1h30m");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->less);
  EXPECT_EQ(d->seconds, 5400);
  d = DurationFilter::parse("<45s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->seconds, 45);
  for (const char* bad : {"", "1h", "=1h", "<", ">", "<1", "<1x", "<h", "< 1h", "<-1h"}) {
    auto r = DurationFilter::parse(bad);
    ASSERT_FALSE(r.ok()) << "\"" << bad << "\" accepted";
    EXPECT_EQ(r.error().kind, ErrorKind::kUser) << bad;
    EXPECT_NE(r.error().message.find("bad duration filter"), std::string::npos)
        << r.error().message;
  }
}

}  // namespace
}  // namespace mox::queue
