// Tests for lib/queue/sendlimit.h and its use by queue::add_message: the
// per-account limits on messages and first-time recipients per 24 hours
// (domains.conf MaxOutgoingMessagesPerDay, MaxFirstTimeRecipientsPerDay).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "queue/queuedb.h"
#include "queue/sendlimit.h"
#include "queue_test_util.h"

namespace mox::queue {
namespace {

using testing::QueueFixture;
using testing::Submission;

constexpr int64_t kNow = 1'700'000'000;

class SendLimitTest : public QueueFixture {
 protected:
  // The limit that submitting to `to` at `now` reaches (kNone: it was
  // queued).
  SendLimitCheck submit(std::vector<std::string> to, int64_t now,
                        const std::string& account = "mjl") {
    Submission s;
    s.account = account;
    s.to = std::move(to);
    s.limits = limits_;
    auto r = queue(s, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return {};
    EXPECT_EQ(r->ids.empty(), r->limit.reached != SendLimit::kNone);
    return r->limit;
  }
  SendLimit reached(std::vector<std::string> to, int64_t now, const std::string& account = "mjl") {
    return submit(std::move(to), now, account).reached;
  }
  int64_t count(const std::string& sql) {
    auto q = db_.prepare(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }
  static std::string rcpt(int i) { return "r" + std::to_string(i) + "@remote.example"; }

  SendLimits limits_{5, 3};
};

TEST(SendLimits, Defaults) {
  config::Account a;
  SendLimits l = send_limits(a);
  EXPECT_EQ(l.messages_per_day, 1000);
  EXPECT_EQ(l.first_time_recipients_per_day, 200);
  a.max_outgoing_messages_per_day = 7;
  a.max_first_time_recipients_per_day = 2;
  l = send_limits(a);
  EXPECT_EQ(l.messages_per_day, 7);
  EXPECT_EQ(l.first_time_recipients_per_day, 2);
}

// Each remote recipient is one message; the limit is the last allowed.
TEST_F(SendLimitTest, MessagesPerDay) {
  limits_ = {5, 100};
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow + 1), SendLimit::kNone);  // 4
  SendLimitCheck c = submit({rcpt(1), rcpt(2)}, kNow + 2);             // would be 6
  EXPECT_EQ(c.reached, SendLimit::kMessages);
  EXPECT_EQ(c.limit, 5);
  EXPECT_EQ(c.count, 6);
  EXPECT_EQ(reached({rcpt(1)}, kNow + 3), SendLimit::kNone);  // 5: exactly the limit
  EXPECT_EQ(reached({rcpt(1)}, kNow + 4), SendLimit::kMessages);
  // Refused messages were neither queued nor counted.
  EXPECT_EQ(count("SELECT COUNT(*) FROM Msg"), 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Outgoing"), 5);
  // Other accounts have their own count.
  EXPECT_EQ(reached({rcpt(1)}, kNow + 4, "other"), SendLimit::kNone);
}

// The 24 hours slide: each message frees its place a day after it was sent.
TEST_F(SendLimitTest, WindowSlides) {
  limits_ = {3, 100};
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(3)}, kNow + 3600), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(4)}, kNow + kSendLimitWindow - 1), SendLimit::kMessages);
  EXPECT_EQ(reached({rcpt(4), rcpt(5)}, kNow + kSendLimitWindow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(6)}, kNow + kSendLimitWindow + 1), SendLimit::kMessages);
  EXPECT_EQ(reached({rcpt(6)}, kNow + kSendLimitWindow + 3600), SendLimit::kNone);
  // Rows older than the window are gone.
  EXPECT_EQ(count("SELECT COUNT(*) FROM Outgoing"), 3);
}

// First-time recipients: addresses never sent to before; known ones do not
// count, however many messages go to them.
TEST_F(SendLimitTest, FirstTimeRecipients) {
  limits_ = {100, 3};
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(1), rcpt(2), rcpt(1)}, kNow + 1), SendLimit::kNone);  // known
  SendLimitCheck c = submit({rcpt(3), rcpt(4)}, kNow + 2);                      // 4 new
  EXPECT_EQ(c.reached, SendLimit::kFirstTimeRecipients);
  EXPECT_EQ(c.limit, 3);
  EXPECT_EQ(c.count, 4);
  EXPECT_EQ(reached({rcpt(3), rcpt(3)}, kNow + 3), SendLimit::kNone);  // a duplicate: 1 new
  EXPECT_EQ(reached({rcpt(4)}, kNow + 4), SendLimit::kFirstTimeRecipients);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(reached({rcpt(1), rcpt(3)}, kNow + 5), SendLimit::kNone);
  // A day after they were first sent to, they no longer count as new, and
  // are still known.
  EXPECT_EQ(reached({rcpt(4), rcpt(5)}, kNow + kSendLimitWindow - 1),
            SendLimit::kFirstTimeRecipients);
  EXPECT_EQ(reached({rcpt(4), rcpt(5)}, kNow + kSendLimitWindow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow + kSendLimitWindow), SendLimit::kNone);
  EXPECT_EQ(count("SELECT COUNT(*) FROM OutgoingRecipient"), 5);
  EXPECT_EQ(reached({rcpt(9)}, kNow + 5, "other"), SendLimit::kNone);
}

// Without limits (e.g. messages the server itself sends), nothing is
// counted.
TEST_F(SendLimitTest, NotLimited) {
  Submission s;
  s.to = {rcpt(1)};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(add(s, kNow).size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Outgoing"), 0);
}

TEST_F(SendLimitTest, RemoveAccount) {
  limits_ = {100, 100};
  EXPECT_EQ(reached({rcpt(1), rcpt(2)}, kNow), SendLimit::kNone);
  EXPECT_EQ(reached({rcpt(1)}, kNow, "other"), SendLimit::kNone);
  auto n = remove_account_outgoing(db_, "mjl");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 4);  // 2 Outgoing, 2 OutgoingRecipient
  EXPECT_EQ(count("SELECT COUNT(*) FROM Outgoing WHERE Account = 'other'"), 1);
}

// Processes submitting at the same moment cannot together pass the limit:
// check and count are one transaction with the queueing.
TEST_F(SendLimitTest, ConcurrentProcesses) {
  limits_ = {10, 1000};
  constexpr int kProcs = 4, kEach = 6;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The parent's handle is left alone (SQLite handles do not cross fork).
      (void)new db::Db(std::move(db_));
      auto db = open_queue_db(data_);
      if (!db) ::_exit(2);
      db_ = std::move(*db);
      int queued = 0;
      for (int i = 0; i < kEach; ++i) {
        Submission s;
        s.to = {rcpt(p * 100 + i)};
        s.limits = limits_;
        auto r = queue(s, kNow);
        if (!r) ::_exit(3);
        queued += !r->ids.empty();
      }
      ::_exit(10 + queued);
    }
    pids.push_back(pid);
  }
  int total = 0;
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_GE(WEXITSTATUS(status), 10) << WEXITSTATUS(status);
    total += WEXITSTATUS(status) - 10;
  }
  EXPECT_EQ(total, 10);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Msg"), 10);
  EXPECT_EQ(count("SELECT COUNT(*) FROM Outgoing"), 10);
}

}  // namespace
}  // namespace mox::queue
