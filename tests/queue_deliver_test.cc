// Tests for lib/queue/deliver.h: run_due against a small SMTP server on
// loopback (a thread answering by rules: per-recipient RCPT replies, a DATA
// reply), with MX routing from a ZoneResolver and a fake clock. Covers
// delivery (one transaction per BaseID, MsgPrefix before the file), retry
// after 4xx on the schedule of schedule.h, permanent failure with DSN and
// suppression, MX preference and fallback to the next host, NXDOMAIN, null
// MX (RFC 7505), implicit MX (RFC 5321 §5.1), the delayed DSN after the 5th
// attempt and the failure after the last, a disabled sender domain, leases
// of other runners, each outcome committed before the next transaction,
// and next_due.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "config/cache.h"
#include "dns/zone.h"
#include "message/header.h"
#include "message/mime.h"
#include "queue/deliver.h"
#include "queue/msg.h"
#include "queue/runner.h"
#include "queue/suppress.h"
#include "queue_test_util.h"

namespace mox::queue {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'700'000'000;

// What the server got in one transaction.
struct Received {
  std::string helo, mail_from;
  std::vector<std::string> rcpts;  // accepted ones
  std::string data;                // unstuffed, without the final "."
};

// An SMTP server on 127.0.0.1 (RFC 5321 §4.1 commands, a thread per
// connection), answering RCPT by rules and recording every transaction.
class MxServer {
 public:
  MxServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 8) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~MxServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& t : sessions_) t.join();
    ::close(fd_);
  }
  int port() const { return port_; }

  // The reply to "RCPT TO:<addr>" (default "250 2.1.5 ok").
  void rcpt_reply(const std::string& addr, const std::string& reply) {
    std::lock_guard l(mu_);
    rcpt_replies_[addr] = reply;
  }
  void data_reply(const std::string& reply) {
    std::lock_guard l(mu_);
    data_reply_ = reply;
  }
  // Called after the message data of each transaction, before the reply.
  void on_data(std::function<void()> f) {
    std::lock_guard l(mu_);
    on_data_ = std::move(f);
  }
  std::vector<Received> received() {
    std::lock_guard l(mu_);
    return received_;
  }
  int connections() const { return connections_; }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++connections_;
      // A thread per connection: the runner may deliver over several
      // connections at once.
      sessions_.emplace_back([this, c] {
        session(c);
        ::close(c);
      });
    }
  }

  bool read_line(int c, std::string& buf, std::string& line) {
    while (true) {
      size_t eol = buf.find("\r\n");
      if (eol != std::string::npos) {
        line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        return true;
      }
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      char b[8192];
      ssize_t n = ::recv(c, b, sizeof b, 0);
      if (n <= 0) return false;
      buf.append(b, static_cast<size_t>(n));
    }
  }

  static void send_all(int c, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(c, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  static std::string upper(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  }

  // "<addr>" from "RCPT TO:<addr> ..." / "MAIL FROM:<addr> ...".
  static std::string path(const std::string& line) {
    auto a = line.find('<'), b = line.find('>');
    return a == std::string::npos || b == std::string::npos ? "" : line.substr(a + 1, b - a - 1);
  }

  void session(int c) {
    std::string buf, line;
    send_all(c, "220 mx.test ESMTP\r\n");
    Received tx;
    bool in_tx = false;
    while (read_line(c, buf, line)) {
      std::string cmd = upper(line.substr(0, 4));
      if (cmd == "EHLO" || cmd == "HELO") {
        tx.helo = line.substr(5);
        send_all(c,
                 "250-mx.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                 "250 SMTPUTF8\r\n");
      } else if (cmd == "MAIL") {
        tx = Received{tx.helo, path(line), {}, {}};
        in_tx = true;
        send_all(c, "250 2.1.0 ok\r\n");
      } else if (cmd == "RCPT") {
        std::string to = path(line), reply = "250 2.1.5 ok";
        {
          std::lock_guard l(mu_);
          if (auto it = rcpt_replies_.find(to); it != rcpt_replies_.end()) reply = it->second;
        }
        if (reply[0] == '2') tx.rcpts.push_back(to);
        send_all(c, reply + "\r\n");
      } else if (cmd == "DATA") {
        if (!in_tx || tx.rcpts.empty()) {
          send_all(c, "554 5.5.1 no valid recipients\r\n");
          continue;
        }
        send_all(c, "354 go ahead\r\n");
        while (read_line(c, buf, line) && line != ".") {
          tx.data += (line.rfind('.', 0) == 0 ? line.substr(1) : line) + "\r\n";  // RFC 5321 §4.5.2
        }
        std::function<void()> hook;
        {
          std::lock_guard l(mu_);
          hook = on_data_;
        }
        if (hook) hook();
        std::string reply;
        {
          std::lock_guard l(mu_);
          reply = data_reply_;
          if (reply[0] == '2') received_.push_back(tx);
        }
        in_tx = false;
        send_all(c, reply + "\r\n");
      } else if (cmd == "RSET") {
        in_tx = false;
        send_all(c, "250 2.0.0 ok\r\n");
      } else if (cmd == "NOOP") {
        send_all(c, "250 2.0.0 ok\r\n");
      } else if (cmd == "QUIT") {
        send_all(c, "221 2.0.0 bye\r\n");
        return;
      } else {
        send_all(c, "500 5.5.2 unknown command\r\n");
      }
    }
  }

  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::vector<std::thread> sessions_;  // used by the accepting thread only
  std::mutex mu_;
  std::map<std::string, std::string> rcpt_replies_;
  std::string data_reply_ = "250 2.0.0 ok, queued";
  std::function<void()> on_data_;
  std::vector<Received> received_;
};

const char* const kZone =
    "remote.example. MX 10 mx.remote.example.\n"
    "mx.remote.example. A 127.0.0.1\n"
    // Listed against preference order: mx1 (10) is 127.0.0.2, where nothing
    // listens, mx2 (20) is our server.
    "fallback.example. MX 20 mx2.fallback.example.\n"
    "fallback.example. MX 10 mx1.fallback.example.\n"
    "mx1.fallback.example. A 127.0.0.2\n"
    "mx2.fallback.example. A 127.0.0.1\n"
    // Both listen on 127.0.0.1; the preference 5 one must be used.
    "pref.example. MX 50 mx-b.pref.example.\n"
    "pref.example. MX 5 mx-a.pref.example.\n"
    "mx-a.pref.example. A 127.0.0.1\n"
    "mx-b.pref.example. A 127.0.0.3\n"
    "down.example. MX 10 mx.down.example.\n"
    "mx.down.example. A 127.0.0.2\n"
    "noaddr.example. MX 10 mx.noaddr.example.\n"
    "mx.noaddr.example. TXT \"no address records\"\n"
    "nullmx.example. MX 0 .\n"
    // No MX: the domain itself is the host (RFC 5321 §5.1).
    "implicit.example. A 127.0.0.1\n";

class QueueDeliverTest : public testing::QueueFixture {
 protected:
  void SetUp() override {
    QueueFixture::SetUp();
    auto z = dns::ZoneResolver::from_text(kZone);
    ASSERT_TRUE(z.ok()) << z.error().message;
    resolver_ = std::move(*z);
    configure(false);
  }

  void configure(bool other_disabled) {
    cfg_ = testing::make_queue_config(tmp_.path(), mx_.port(), 86400, other_disabled);
    ASSERT_TRUE(cfg_);
    ASSERT_TRUE(std::filesystem::equivalent(cfg_->data_dir(), data_));
  }

  RunEnv env() {
    RunEnv e;
    e.config = cfg_;
    e.resolver = resolver_.get();
    e.now = [this] { return clock_; };
    e.owner = new_owner_id();
    // Deliveries log from several threads at once.
    e.log = [this](const std::string& l) {
      std::lock_guard lock(logs_mu_);
      logs_.push_back(l);
    };
    e.timeouts.connect = 10s;
    e.timeouts.greeting = e.timeouts.command = e.timeouts.mail = e.timeouts.rcpt = 30s;
    e.timeouts.data_init = e.timeouts.data_block = e.timeouts.data_end = e.timeouts.tls_handshake =
        30s;
    return e;
  }

  RunStats run(const RunEnv& e) {
    auto s = run_due(db_, e);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? *s : RunStats{};
  }
  RunStats run() {
    auto s = run_due(db_, env());
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? *s : RunStats{};
  }

  // The messages in the Inbox of `account` (DSNs), as text.
  std::vector<std::string> inbox(const std::string& account = "mjl") {
    std::vector<std::string> out;
    std::string dir = cfg_->account_dir(account) + "/msg";
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) out.push_back(mox::testutil::slurp(e.path().string()));
    }
    return out;
  }

  // A field of the delivery-status part of a DSN ("Action", "Status", ...),
  // of its first recipient.
  static std::string dsn_field(const std::string& dsn, const std::string& name) {
    auto root = message::parse_message(dsn);
    if (root.parts.size() != 3) return "<not a DSN>";
    const auto& p = root.parts[1];
    std::string status = dsn.substr(p.body_offset(), p.body_size);
    size_t blank = status.find("\r\n\r\n");
    if (blank == std::string::npos) return "<no recipient block>";
    auto h = message::parse_header(status.substr(blank + 4) + "\r\n\r\n");
    if (!h.ok() || !h->first(name)) return "<absent>";
    return h->first(name)->value;
  }

  // A message to `rcpt`, whose domain's DNS says it takes no mail: failed
  // without a connection, retired with `secode`, the address suppressed,
  // one DSN (without Remote-MTA) to the sender.
  void expect_routing_failure(const std::string& rcpt, const std::string& secode,
                              const std::string& why) {
    int64_t id = add_one(rcpt, kNow);
    EXPECT_EQ(run().failed, 1);
    auto r = get_retired(db_, id);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->success);
    EXPECT_EQ(r->last_secode, secode);
    EXPECT_NE(r->last_error.find(why), std::string::npos) << r->last_error;
    EXPECT_TRUE(lookup_suppression(db_, "mjl", rcpt)->has_value());
    auto dsns = inbox();
    ASSERT_EQ(dsns.size(), 1u);
    EXPECT_EQ(dsn_field(dsns[0], "Status"), secode);
    EXPECT_EQ(dsn_field(dsns[0], "Remote-MTA"), "<absent>");
    EXPECT_EQ(mx_.connections(), 0);
  }

  MxServer mx_;
  std::unique_ptr<dns::ZoneResolver> resolver_;
  std::shared_ptr<const config::Config> cfg_;
  int64_t clock_ = kNow;
  std::mutex logs_mu_;
  std::vector<std::string> logs_;
};

TEST_F(QueueDeliverTest, Delivered) {
  testing::Submission s;
  s.to = {"rcpt@remote.example", "second@remote.example"};
  s.prefix = "Received: from client.example by mail.example.com\r\n";
  s.dkim_prefix = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; b=xyz\r\n";
  auto ids = add(s, kNow - 10);
  ASSERT_EQ(ids.size(), 2u);
  RunStats st = run();
  EXPECT_EQ(st.delivered, 2);
  EXPECT_EQ(st.failed, 0);
  EXPECT_EQ(st.retried, 0);
  // One connection, one transaction for both recipients of the message.
  EXPECT_EQ(mx_.connections(), 1);
  auto got = mx_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].helo, "mail.example.com");
  EXPECT_EQ(got[0].mail_from, "mjl@example.com");
  EXPECT_EQ(got[0].rcpts,
            (std::vector<std::string>{"rcpt@remote.example", "second@remote.example"}));
  // MsgPrefix (the DKIM signature) first, then the file (Received: + message).
  EXPECT_EQ(got[0].data, s.dkim_prefix + s.prefix + s.text);
  for (int64_t id : ids) {
    EXPECT_EQ(get_message(db_, id).error().kind, ErrorKind::kNotFound);
    auto r = get_retired(db_, id);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->success);
    EXPECT_EQ(r->attempts, 1);
    EXPECT_EQ(r->last_code, 250);
    EXPECT_EQ(r->keep_until, kNow + 86400);
    EXPECT_NE(jget(r->results, "$[0].Host").find("mx.remote.example"), std::string::npos)
        << r->results;
    EXPECT_FALSE(std::filesystem::exists(queue_message_path(data_, id)));
  }
  EXPECT_TRUE(inbox().empty());  // no DSN for success
  // Nothing left: a second run attempts nothing.
  EXPECT_EQ(run().attempted(), 0);
  EXPECT_EQ(mx_.connections(), 1);
}

TEST_F(QueueDeliverTest, NotDueNotDelivered) {
  int64_t id = add_one("rcpt@remote.example", kNow);
  ASSERT_EQ(*reschedule(db_, ids_filter({id}), true, 60, kNow), 1);
  EXPECT_EQ(run().attempted(), 0);
  EXPECT_EQ(mx_.connections(), 0);
  clock_ = kNow + 60;
  EXPECT_EQ(run().delivered, 1);
}

TEST_F(QueueDeliverTest, HeldNotDelivered) {
  int64_t id = add_one("rcpt@remote.example", kNow);
  Filter f;
  f.ids = {id};
  ASSERT_EQ(*set_hold(db_, f, true, kNow), 1);
  EXPECT_EQ(run().attempted(), 0);
  EXPECT_EQ(mx_.connections(), 0);
  auto nd = next_due(db_, kNow);
  ASSERT_TRUE(nd.ok());
  EXPECT_FALSE(nd->has_value());  // held messages are never due
  ASSERT_EQ(*set_hold(db_, f, false, kNow), 1);
  EXPECT_EQ(run().delivered, 1);
}

TEST_F(QueueDeliverTest, TemporaryRcptFailureIsRetried) {
  mx_.rcpt_reply("rcpt@remote.example", "451 4.2.0 mailbox busy, try later");
  int64_t id = add_one("rcpt@remote.example", kNow);
  RunStats st = run();
  EXPECT_EQ(st.retried, 1);
  EXPECT_EQ(st.delivered + st.failed, 0);
  auto m = get_message(db_, id);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->attempts, 1);
  // mox-queue(8) "Delivery": 7.5 minutes after the first failure, plus 0..5 s
  // jitter.
  EXPECT_GE(m->next_attempt, kNow + 450);
  EXPECT_LE(m->next_attempt, kNow + 455);
  EXPECT_EQ(m->last_attempt, kNow);
  EXPECT_EQ(m->last_code, 451);
  EXPECT_EQ(m->last_secode, "4.2.0");
  EXPECT_NE(m->last_error.find("mailbox busy"), std::string::npos) << m->last_error;
  EXPECT_EQ(scalar("SELECT LeaseUntil FROM Msg WHERE ID=" + std::to_string(id)), 0);
  EXPECT_TRUE(std::filesystem::exists(queue_message_path(data_, id)));
  EXPECT_TRUE(inbox().empty());  // no DSN before the 5th attempt
  EXPECT_FALSE(lookup_suppression(db_, "mjl", "rcpt@remote.example")->has_value());

  // next_due is the retry time; before it nothing is attempted.
  auto nd = next_due(db_, kNow);
  ASSERT_TRUE(nd.ok());
  ASSERT_TRUE(nd->has_value());
  EXPECT_EQ(**nd, m->next_attempt);
  clock_ = kNow + 449;
  EXPECT_EQ(run().attempted(), 0);
  EXPECT_EQ(mx_.connections(), 1);

  // The second failure doubles the wait.
  clock_ = m->next_attempt;
  EXPECT_EQ(run().retried, 1);
  m = get_message(db_, id);
  EXPECT_EQ(m->attempts, 2);
  EXPECT_GE(m->next_attempt, clock_ + 900);
  EXPECT_LE(m->next_attempt, clock_ + 905);
  EXPECT_EQ(jlen(m->results), 2);

  // The server recovers: delivered on the next attempt.
  mx_.rcpt_reply("rcpt@remote.example", "250 2.1.5 ok");
  clock_ = m->next_attempt;
  EXPECT_EQ(run().delivered, 1);
  auto r = get_retired(db_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->success);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(mx_.received().size(), 1u);
}

TEST_F(QueueDeliverTest, PermanentFailureRetiresWithDsnAndSuppression) {
  mx_.rcpt_reply("Gone+tag@remote.example", "550 5.1.1 no such user");
  mx_.rcpt_reply("policy@remote.example", "554 5.7.1 not from you");
  int64_t gone = add_one("Gone+tag@remote.example", kNow);
  int64_t policy = add_one("policy@remote.example", kNow);
  RunStats st = run();
  EXPECT_EQ(st.failed, 2);
  EXPECT_EQ(st.delivered, 0);
  for (int64_t id : {gone, policy}) {
    EXPECT_EQ(get_message(db_, id).error().kind, ErrorKind::kNotFound);
    auto r = get_retired(db_, id);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->success);
    EXPECT_EQ(r->attempts, 1);
    EXPECT_FALSE(std::filesystem::exists(queue_message_path(data_, id)));
  }
  EXPECT_EQ(get_retired(db_, gone)->last_secode, "5.1.1");
  EXPECT_EQ(get_retired(db_, policy)->last_code, 554);
  // X.1.1 (bad mailbox, RFC 3463 §3.2): suppressed, by its base address.
  auto sup = lookup_suppression(db_, "mjl", "gone@remote.example");
  ASSERT_TRUE(sup.ok());
  ASSERT_TRUE(sup->has_value());
  EXPECT_EQ((*sup)->original_address, "Gone+tag@remote.example");
  EXPECT_FALSE((*sup)->manual);
  EXPECT_NE((*sup)->reason.find("550"), std::string::npos) << (*sup)->reason;
  // A policy refusal says nothing about the address: not suppressed.
  EXPECT_FALSE(lookup_suppression(db_, "mjl", "policy@remote.example")->has_value());
  // One failure DSN per message in the sender's Inbox.
  auto dsns = inbox();
  ASSERT_EQ(dsns.size(), 2u);
  std::set<std::string> recipients;
  for (const auto& d : dsns) {
    EXPECT_EQ(dsn_field(d, "Action"), "failed");
    recipients.insert(dsn_field(d, "Final-Recipient"));
  }
  EXPECT_EQ(recipients, (std::set<std::string>{"rfc822; Gone+tag@remote.example",
                                               "rfc822; policy@remote.example"}));
  for (const auto& d : dsns) {
    if (dsn_field(d, "Final-Recipient") == "rfc822; Gone+tag@remote.example") {
      EXPECT_EQ(dsn_field(d, "Status"), "5.1.1");
      EXPECT_EQ(dsn_field(d, "Diagnostic-Code"), "smtp; 550 5.1.1 no such user");
      EXPECT_NE(dsn_field(d, "Remote-MTA").find("mx.remote.example"), std::string::npos);
    }
  }
}

TEST_F(QueueDeliverTest, PermanentDataFailure) {
  mx_.data_reply("552 5.3.4 message too big");
  int64_t id = add_one("rcpt@remote.example", kNow);
  EXPECT_EQ(run().failed, 1);
  auto r = get_retired(db_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->last_code, 552);
  EXPECT_EQ(r->last_secode, "5.3.4");
  EXPECT_FALSE(lookup_suppression(db_, "mjl", "rcpt@remote.example")->has_value());
  ASSERT_EQ(inbox().size(), 1u);
}

TEST_F(QueueDeliverTest, MixedRecipientsOfOneMessage) {
  mx_.rcpt_reply("busy@remote.example", "452 4.2.2 over quota");
  mx_.rcpt_reply("gone@remote.example", "550 5.1.1 unknown");
  testing::Submission s;
  s.to = {"ok@remote.example", "busy@remote.example", "gone@remote.example"};
  auto ids = add(s, kNow);
  ASSERT_EQ(ids.size(), 3u);
  RunStats st = run();
  EXPECT_EQ(st.delivered, 1);
  EXPECT_EQ(st.retried, 1);
  EXPECT_EQ(st.failed, 1);
  auto got = mx_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rcpts, (std::vector<std::string>{"ok@remote.example"}));
  EXPECT_TRUE(get_retired(db_, ids[0])->success);
  EXPECT_EQ(get_message(db_, ids[1])->attempts, 1);
  EXPECT_FALSE(get_retired(db_, ids[2])->success);
  // The retried recipient's file survives the others' retirement.
  EXPECT_TRUE(std::filesystem::exists(queue_message_path(data_, ids[1])));
  mx_.rcpt_reply("busy@remote.example", "250 ok");
  clock_ = get_message(db_, ids[1])->next_attempt;
  EXPECT_EQ(run().delivered, 1);
  got = mx_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].data, s.text);
}

// Messages to several domains, many to one of them: each is delivered
// exactly once, over at most connections_per_domain connections per domain.
TEST_F(QueueDeliverTest, ManyMessagesOverSeveralConnections) {
  for (int per_domain : {1, 4}) {
    std::set<std::string> want;
    for (int i = 0; i < 12; ++i)
      want.insert("u" + std::to_string(per_domain) + "-" + std::to_string(i) + "@remote.example");
    for (int i = 0; i < 3; ++i)
      want.insert("p" + std::to_string(per_domain) + "-" + std::to_string(i) + "@pref.example");
    want.insert("i" + std::to_string(per_domain) + "@implicit.example");
    for (const auto& to : want) ASSERT_NE(add_one(to, kNow), 0);
    int conns0 = mx_.connections();
    size_t got0 = mx_.received().size();
    RunEnv e = env();
    e.parallel = per_domain == 1 ? 1 : 8;
    e.connections_per_domain = per_domain;
    RunStats st = run(e);
    EXPECT_EQ(st.delivered, static_cast<int64_t>(want.size()));
    EXPECT_EQ(st.failed + st.retried, 0);
    auto got = mx_.received();
    ASSERT_EQ(got.size() - got0, want.size());
    std::set<std::string> rcpts;
    for (size_t i = got0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].rcpts.size(), 1u);
      rcpts.insert(got[i].rcpts[0]);
    }
    EXPECT_EQ(rcpts, want);  // each once
    int conns = mx_.connections() - conns0;
    if (per_domain == 1) {
      EXPECT_EQ(conns, 3);  // one per domain
    } else {
      EXPECT_GE(conns, 3);
      EXPECT_LE(conns, 4 + 3 + 1);
    }
    EXPECT_EQ(scalar("SELECT count(*) FROM Msg"), 0);
  }
}

// Each outcome is committed before the connection carries the next
// message: the server, asked for the next one, finds the earlier ones
// retired in the queue database. (A runner that dies then repeats only the
// transaction in flight, not its whole batch.)
TEST_F(QueueDeliverTest, OutcomeCommittedBeforeNextTransaction) {
  constexpr int kMessages = 5;
  for (int i = 0; i < kMessages; ++i)
    ASSERT_NE(add_one("u" + std::to_string(i) + "@remote.example", kNow), 0);
  auto reader = open_queue_db(data_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  std::vector<int64_t> retired_at_data;  // per transaction, in order
  mx_.on_data([&] {
    auto q = reader->prepare("SELECT count(*) FROM MsgRetired WHERE Success=1");
    auto row = q.ok() ? q->step() : Result<bool>(q.error());
    retired_at_data.push_back(row.ok() && *row ? q->col_int(0) : -1);
  });
  RunEnv e = env();
  e.parallel = 1;
  e.connections_per_domain = 1;
  EXPECT_EQ(run(e).delivered, kMessages);
  EXPECT_EQ(mx_.connections(), 1);
  mx_.on_data(nullptr);
  std::vector<int64_t> want;
  for (int i = 0; i < kMessages; ++i) want.push_back(i);
  EXPECT_EQ(retired_at_data, want);
}

TEST_F(QueueDeliverTest, ConnectionRefusedFallsBackToNextMx) {
  int64_t id = add_one("rcpt@fallback.example", kNow);
  EXPECT_EQ(run().delivered, 1);
  EXPECT_EQ(mx_.connections(), 1);
  auto r = get_retired(db_, id);
  ASSERT_TRUE(r.ok());
  // RFC 5321 §5.1: preference 10 (mx1, refused) first, then 20 (mx2).
  EXPECT_NE(jget(r->results, "$[0].Host").find("mx2.fallback.example"), std::string::npos)
      << r->results;
  bool tried_mx1 = false;
  for (const auto& l : logs_) tried_mx1 |= l.find("127.0.0.2") != std::string::npos;
  EXPECT_TRUE(tried_mx1);
}

TEST_F(QueueDeliverTest, LowestPreferenceFirst) {
  int64_t id = add_one("rcpt@pref.example", kNow);
  EXPECT_EQ(run().delivered, 1);
  EXPECT_NE(jget(get_retired(db_, id)->results, "$[0].Host").find("mx-a.pref.example"),
            std::string::npos);
  for (const auto& l : logs_) EXPECT_EQ(l.find("127.0.0.3"), std::string::npos) << l;
}

TEST_F(QueueDeliverTest, ImplicitMx) {
  int64_t id = add_one("rcpt@implicit.example", kNow);
  EXPECT_EQ(run().delivered, 1);
  EXPECT_NE(jget(get_retired(db_, id)->results, "$[0].Host").find("implicit.example"),
            std::string::npos);
}

TEST_F(QueueDeliverTest, AllMxDownIsTemporary) {
  int64_t down = add_one("rcpt@down.example", kNow);
  int64_t noaddr = add_one("rcpt@noaddr.example", kNow);
  RunStats st = run();
  EXPECT_EQ(st.retried, 2);
  auto m = get_message(db_, down);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->last_code, 0);
  EXPECT_EQ(m->last_secode.substr(0, 2), "4.");
  EXPECT_GE(m->next_attempt, kNow + 450);
  m = get_message(db_, noaddr);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->last_secode, "4.4.3");
  EXPECT_NE(m->last_error.find("mx.noaddr.example"), std::string::npos) << m->last_error;
  EXPECT_EQ(mx_.connections(), 0);
}

TEST_F(QueueDeliverTest, NxDomainFailsWith512) {
  // RFC 3463 §3.2 X.1.2: bad destination system address.
  expect_routing_failure("rcpt@nonexistent.example", "5.1.2", "NXDOMAIN");
}

TEST_F(QueueDeliverTest, NullMxFailsWith5110) {
  expect_routing_failure("rcpt@nullmx.example", "5.1.10", "null MX");  // RFC 7505 §4.2
}

TEST_F(QueueDeliverTest, DelayedDsnAfterFifthAttemptFailureAfterLast) {
  mx_.rcpt_reply("rcpt@remote.example", "450 4.2.1 come back later");
  int64_t id = add_one("rcpt@remote.example", kNow);
  // Four failed attempts behind it.
  exec("UPDATE Msg SET Attempts=4 WHERE ID=" + std::to_string(id));
  EXPECT_EQ(run().retried, 1);
  auto m = get_message(db_, id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 5);
  EXPECT_GE(m->next_attempt, kNow + 7200);  // after the 5th: 2 h (mox-queue(8) "Delivery")
  EXPECT_LE(m->next_attempt, kNow + 7205);
  auto dsns = inbox();
  ASSERT_EQ(dsns.size(), 1u);
  EXPECT_EQ(dsn_field(dsns[0], "Action"), "delayed");
  EXPECT_EQ(dsn_field(dsns[0], "Status"), "4.2.1");
  EXPECT_NE(dsn_field(dsns[0], "Will-Retry-Until"), "<absent>");
  // No second delayed DSN after the 6th.
  clock_ = m->next_attempt;
  EXPECT_EQ(run().retried, 1);
  EXPECT_EQ(inbox().size(), 1u);
  // The 8th attempt (the default, mox-queue(8) "Delivery") is the last: failed,
  // with a DSN.
  m = get_message(db_, id);
  clock_ = m->next_attempt;
  EXPECT_EQ(run().retried, 1);
  m = get_message(db_, id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 7);
  clock_ = m->next_attempt;
  EXPECT_EQ(run().failed, 1);
  auto r = get_retired(db_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attempts, 8);
  EXPECT_FALSE(r->success);
  dsns = inbox();
  ASSERT_EQ(dsns.size(), 2u);
  int failed = 0;
  for (const auto& d : dsns) {
    if (dsn_field(d, "Action") == "failed") {
      ++failed;
      // The last reply's status, as Postfix reports an expired message.
      EXPECT_EQ(dsn_field(d, "Status"), "4.2.1");
      EXPECT_EQ(dsn_field(d, "Will-Retry-Until"), "<absent>");
    }
  }
  EXPECT_EQ(failed, 1);
  // A temporary failure is not a reason to suppress.
  EXPECT_FALSE(lookup_suppression(db_, "mjl", "rcpt@remote.example")->has_value());
}

TEST_F(QueueDeliverTest, DisabledSenderDomainIsTemporary) {
  configure(true);
  int64_t id = add_one("rcpt@remote.example", kNow, "other", "o@other.example");
  int64_t fine = add_one("rcpt@remote.example", kNow);
  RunStats st = run();
  EXPECT_EQ(st.retried, 1);
  EXPECT_EQ(st.delivered, 1);
  auto m = get_message(db_, id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->last_secode, "4.3.0");
  EXPECT_GE(m->next_attempt, kNow + 450);
  EXPECT_TRUE(get_retired(db_, fine)->success);
  ASSERT_EQ(mx_.received().size(), 1u);
  EXPECT_EQ(mx_.received()[0].mail_from, "mjl@example.com");
}

TEST_F(QueueDeliverTest, LeasedByLiveRunnerNotDelivered) {
  int64_t id = add_one("rcpt@remote.example", kNow);
  // Another host's runner: its liveness cannot be checked, the lease holds.
  exec("UPDATE Msg SET LeaseOwner='elsewhere.example:1:abc', LeaseUntil=" +
       std::to_string(kNow + kLeaseSeconds) + " WHERE ID=" + std::to_string(id));
  EXPECT_EQ(run().attempted(), 0);
  EXPECT_EQ(mx_.connections(), 0);
  EXPECT_TRUE(get_message(db_, id).ok());
  // next_due: when the lease ends.
  auto nd = next_due(db_, kNow);
  ASSERT_TRUE(nd.ok());
  ASSERT_TRUE(nd->has_value());
  EXPECT_EQ(**nd, kNow + kLeaseSeconds);
  // A runner of this host that is alive (this process) holds it too.
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  exec("UPDATE Msg SET LeaseOwner='" + std::string(host) + ":" + std::to_string(::getpid()) +
       ":xyz' WHERE ID=" + std::to_string(id));
  EXPECT_EQ(run().attempted(), 0);
  // The lease expires: the message is delivered.
  clock_ = kNow + kLeaseSeconds;
  EXPECT_EQ(run().delivered, 1);
  EXPECT_EQ(mx_.received().size(), 1u);
}

TEST_F(QueueDeliverTest, LeaseOfDeadLocalRunnerIsReclaimed) {
  int64_t id = add_one("rcpt@remote.example", kNow);
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(mox::testutil::wait_child(child), 0);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  exec("UPDATE Msg SET LeaseOwner='" + std::string(host) + ":" + std::to_string(child) +
       ":dead', LeaseUntil=" + std::to_string(kNow + kLeaseSeconds) +
       " WHERE ID=" + std::to_string(id));
  EXPECT_EQ(run().delivered, 1);
  EXPECT_TRUE(get_retired(db_, id)->success);
}

TEST_F(QueueDeliverTest, NextDue) {
  auto nd = next_due(db_, kNow);
  ASSERT_TRUE(nd.ok());
  EXPECT_FALSE(nd->has_value());
  int64_t a = add_one("rcpt@remote.example", kNow);
  int64_t b = add_one("rcpt@remote.example", kNow);
  ASSERT_EQ(*reschedule(db_, ids_filter({a}), true, 900, kNow), 1);
  ASSERT_EQ(*reschedule(db_, ids_filter({b}), true, 300, kNow), 1);
  nd = next_due(db_, kNow);
  ASSERT_TRUE(nd.ok());
  ASSERT_TRUE(nd->has_value());
  EXPECT_EQ(**nd, kNow + 300);
  // A message that is overdue: its (past) time, so the runner starts now.
  ASSERT_EQ(*reschedule(db_, ids_filter({b}), true, -60, kNow), 1);
  EXPECT_EQ(**next_due(db_, kNow), kNow - 60);
  // Leased until later: the later of the two.
  exec("UPDATE Msg SET LeaseOwner='x:1:y', LeaseUntil=" + std::to_string(kNow + 600) +
       " WHERE ID=" + std::to_string(b));
  EXPECT_EQ(**next_due(db_, kNow), kNow + 600);
  // An expired lease does not count.
  EXPECT_EQ(**next_due(db_, kNow + 700), kNow - 60);
}

// serve() (queue/runner.h) runs on the clock it is given: the program passes
// the system clock moved by MOX_TEST_TIME_OFFSET (docs/DESIGN.md "Testing"),
// this test its own. Each reading of the clock also asks serve to stop, so
// one pass runs.
TEST_F(QueueDeliverTest, ServeRunsOnItsClock) {
  int64_t id = add_one("rcpt@remote.example", kNow);
  ASSERT_EQ(*reschedule(db_, ids_filter({id}), true, 3600, kNow), 1);
  int stop[2];
  ASSERT_EQ(::pipe2(stop, O_NONBLOCK), 0);
  config::ConfigCache cache(tmp_.path() + "/config/mox.conf", cfg_);
  auto serve_at = [&](int64_t t) {
    RunEnv e = env();
    e.now = [t, fd = stop[1]] {
      (void)!::write(fd, "x", 1);
      return t;
    };
    auto st = serve(cache, e, stop[0]);
    EXPECT_TRUE(st.ok()) << st.error().message;
    char buf[64];
    while (::read(stop[0], buf, sizeof buf) > 0) {
    }
  };
  serve_at(kNow + 3599);  // not due yet by this clock
  EXPECT_EQ(mx_.connections(), 0);
  serve_at(kNow + 3600);
  EXPECT_EQ(mx_.connections(), 1);
  EXPECT_TRUE(get_retired(db_, id).ok());
  ::close(stop[0]);
  ::close(stop[1]);
}

TEST_F(QueueDeliverTest, OwnerIdsAreUnique) {
  std::string a = new_owner_id(), b = new_owner_id();
  EXPECT_NE(a, b);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(a.rfind(std::string(host) + ":" + std::to_string(::getpid()) + ":", 0), 0u) << a;
}

}  // namespace
}  // namespace mox::queue
