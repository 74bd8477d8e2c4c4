// Tests for lib/smtpclient's Client against a scripted server on a
// socketpair or loopback socket: each test's server is a small function
// that reads the client's commands and answers, so that error paths (421
// greeting, 451 RCPT, 554 DATA, a server closing mid-transaction, missing
// PIPELINING / 8BITMIME / SMTPUTF8 / STARTTLS) are exact. The real
// mox-smtpd is driven by tests/e2e/test_mox_sendmail.py.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdio>
#include <functional>
#include <thread>

#include "net_test_util.h"
#include "smtpclient/client.h"
#include "tls/server.h"
#include "util/encoding.h"

namespace mox::smtpclient {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// The server side of a scripted conversation.
class Peer {
 public:
  explicit Peer(net::Conn c) : conn_(std::move(c)) {}
  void send(std::string_view s) {
    auto st = conn_.write_all(s, 5s);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  // One line without CRLF; "<eof>" at the end of the stream.
  std::string line() {
    while (true) {
      size_t eol = buf_.find("\r\n");
      if (eol != std::string::npos) {
        std::string l = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        return l;
      }
      if (!fill()) return "<eof>";
    }
  }
  // Reads a line and checks that it starts with `prefix`.
  std::string expect(std::string_view prefix) {
    std::string l = line();
    EXPECT_EQ(l.substr(0, prefix.size()), prefix) << "got " << l;
    return l;
  }
  // The DATA payload up to and including the final ".\r\n".
  std::string data() {
    while (true) {
      if (buf_ == ".\r\n" || buf_.rfind(".\r\n", 0) == 0) {
        buf_.erase(0, 3);
        return ".\r\n";
      }
      size_t end = buf_.find("\r\n.\r\n");
      if (end != std::string::npos) {
        std::string d = buf_.substr(0, end + 5);
        buf_.erase(0, end + 5);
        return d;
      }
      if (!fill()) return "<eof>";
    }
  }
  // True if the client sent nothing more within `wait` (no pipelining).
  bool quiet(std::chrono::milliseconds wait = 100ms) {
    if (!buf_.empty() || conn_.has_buffered_input()) return false;
    pollfd p{conn_.read_fd(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) == 0;
  }
  void start_tls(SSL_CTX* ctx) {
    auto st = conn_.start_tls_server(ctx, 5s);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  // The usual EHLO exchange with the given extension lines.
  void ehlo(std::vector<std::string> exts) {
    expect("EHLO client.example");
    exts.insert(exts.begin(), "mail.example.com");
    send(smtp_multiline(exts));
  }
  // Greeting and EHLO.
  void greet(std::vector<std::string> exts) {
    send("220 mail.example.com ESMTP\r\n");
    ehlo(std::move(exts));
  }
  // A pipelined MAIL, `rcpts` RCPTs and DATA, answered with `replies`.
  void pipelined(int rcpts, std::string_view replies) {
    expect("MAIL");
    for (int i = 0; i < rcpts; i++) expect("RCPT");
    expect("DATA");
    send(replies);
  }
  void quit() {
    expect("QUIT");
    send("221 2.0.0 bye\r\n");
  }
  void close() { conn_.shutdown(); }
  net::Conn& conn() { return conn_; }

  static std::string smtp_multiline(const std::vector<std::string>& lines) {
    std::string out;
    for (size_t i = 0; i < lines.size(); i++) {
      out += "250" + std::string(i + 1 < lines.size() ? "-" : " ") + lines[i] + "\r\n";
    }
    return out;
  }

 private:
  bool fill() {
    char b[4096];
    auto n = conn_.read_some(b, sizeof b, 5s);
    if (!n.ok() || *n == 0) return false;
    buf_.append(b, *n);
    return true;
  }
  net::Conn conn_;
  std::string buf_;
};

Options test_options() {
  Options o;
  o.local_hostname = "client.example";
  o.tls = TLSMode::kNone;
  o.timeouts.connect = 2s;
  o.timeouts.greeting = o.timeouts.command = o.timeouts.mail = o.timeouts.rcpt = 5s;
  o.timeouts.data_init = o.timeouts.data_block = o.timeouts.data_end = 5s;
  o.timeouts.tls_handshake = 5s;
  return o;
}

// Runs `server` on the other end of a socketpair while the test runs the
// client on `client_conn`.
class Scripted {
 public:
  explicit Scripted(std::function<void(Peer&)> server) {
    auto pair = testing::socket_pair();
    client_conn = std::move(pair.client);
    thread_ = std::thread([server = std::move(server), c = std::move(pair.server)]() mutable {
      Peer p(std::move(c));
      server(p);
      p.close();
    });
  }
  ~Scripted() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  Outcome<Client> start(const Options& o = test_options()) {
    return Client::start(std::move(client_conn), "mail.example.com", o);
  }
  net::Conn client_conn{net::UniqueFd()};

 private:
  std::thread thread_;
};

smtp::Address addr(std::string_view s) {
  auto a = smtp::Address::parse(s);
  if (!a) std::abort();
  return *a;
}

Envelope envelope(std::vector<std::string> rcpts, std::string from = "alice@example.org") {
  Envelope e;
  e.mail_from = addr(from);
  for (auto& r : rcpts) e.rcpts.push_back(addr(r));
  return e;
}

const Message kX = Message::bytes("x\r\n");

const std::vector<std::string> kModern = {"PIPELINING", "SIZE 10000", "8BITMIME",
                                          "ENHANCEDSTATUSCODES", "SMTPUTF8"};

TEST(SmtpClient, PipelinedDelivery) {
  std::string got_data, got_mail;
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    got_mail = p.expect("MAIL FROM:<alice@example.org>");
    p.expect("RCPT TO:<bob@example.com>");
    p.expect("RCPT TO:<carol@example.com>");
    p.expect("DATA");  // all three before any reply: RFC 2920
    p.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go\r\n");
    got_data = p.data();
    p.send("250 2.0.0 queued as 1\r\n");
    p.quit();
  });
  std::vector<std::string> logs;
  Options o = test_options();
  o.log = [&](const std::string& l) { logs.push_back(l); };
  auto c = s.start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->extensions().pipelining);
  Delivery d = c->deliver(envelope({"bob@example.com", "carol@example.com"}),
                          Message::bytes("Subject: hi\n\n.dot\nlast line"));
  EXPECT_FALSE(d.failure.has_value()) << d.failure->message;
  ASSERT_EQ(d.rcpts.size(), 2u);
  EXPECT_FALSE(d.result(0).has_value());
  EXPECT_FALSE(d.result(1).has_value());
  ASSERT_TRUE(d.data.has_value());
  EXPECT_EQ(d.data->enhanced, "2.0.0");
  c->close();
  s.join();
  EXPECT_EQ(got_mail, "MAIL FROM:<alice@example.org> SIZE=30");
  EXPECT_EQ(got_data, "Subject: hi\r\n\r\n..dot\r\nlast line\r\n.\r\n");
  ASSERT_FALSE(logs.empty());
  EXPECT_NE(logs.back().find("delivered from <alice@example.org>: 250 2.0.0 queued as 1"),
            std::string::npos)
      << logs.back();
}

TEST(SmtpClient, NoPipeliningOneByOne) {
  Scripted s([&](Peer& p) {
    p.greet({"8BITMIME"});
    p.expect("MAIL FROM:<> BODY=8BITMIME");
    EXPECT_TRUE(p.quiet());
    p.send("250 ok\r\n");
    p.expect("RCPT TO:<bob@example.com>");
    EXPECT_TRUE(p.quiet());
    p.send("250 ok\r\n");
    p.expect("DATA");
    EXPECT_TRUE(p.quiet());
    p.send("354 go\r\n");
    EXPECT_EQ(p.data(), "caf\xc3\xa9\r\n.\r\n");
    p.send("250 ok\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Envelope e = envelope({"bob@example.com"});
  e.mail_from.reset();  // null reverse-path, as for a DSN
  Delivery d = c->deliver(e, Message::bytes("caf\xc3\xa9\r\n"));
  EXPECT_FALSE(d.result(0).has_value()) << d.result(0)->message;
  c->close();
}

TEST(SmtpClient, RcptTemporaryFailureForOne) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.expect("MAIL");
    p.expect("RCPT TO:<bob@");
    p.expect("RCPT TO:<carol@");
    p.expect("DATA");
    p.send("250 2.1.0 ok\r\n451 4.3.0 try later\r\n250 2.1.5 ok\r\n354 go\r\n");
    p.data();
    p.send("250 2.0.0 done\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com", "carol@example.com"}), kX);
  auto bob = d.result(0);
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->stage, Stage::kRcpt);
  EXPECT_FALSE(bob->permanent);
  EXPECT_FALSE(bob->connection_level());
  ASSERT_TRUE(bob->reply.has_value());
  EXPECT_EQ(bob->reply->code, 451);
  EXPECT_EQ(bob->reply->enhanced, "4.3.0");
  EXPECT_EQ(bob->message, "rcpt: 451 4.3.0 try later");
  EXPECT_FALSE(d.result(1).has_value());
  c->close();
}

TEST(SmtpClient, AllRecipientsRefusedNoData) {
  Scripted s([&](Peer& p) {
    p.greet({"ENHANCEDSTATUSCODES"});
    p.expect("MAIL");
    p.send("250 ok\r\n");
    p.expect("RCPT");
    p.send("550 5.1.1 no such user\r\n");
    p.expect("RCPT");
    p.send("450 4.2.1 busy\r\n");
    // No DATA: the next command is the RSET before the second transaction.
    p.expect("RSET");
    p.send("250 ok\r\n");
    p.expect("MAIL FROM:<alice@example.org>");
    p.send("250 ok\r\n");
    p.expect("RCPT TO:<dave@example.com>");
    p.send("250 ok\r\n");
    p.expect("DATA");
    p.send("354 go\r\n");
    EXPECT_EQ(p.data(), "second\r\n.\r\n");
    p.send("250 ok\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d =
      c->deliver(envelope({"bob@example.com", "carol@example.com"}), Message::bytes("first\r\n"));
  EXPECT_FALSE(d.failure.has_value());
  EXPECT_FALSE(d.data.has_value());
  ASSERT_TRUE(d.result(0).has_value());
  EXPECT_TRUE(d.result(0)->permanent);
  EXPECT_EQ(d.result(0)->reply->enhanced, "5.1.1");
  ASSERT_TRUE(d.result(1).has_value());
  EXPECT_FALSE(d.result(1)->permanent);
  EXPECT_TRUE(c->usable());
  Delivery d2 = c->deliver(envelope({"dave@example.com"}), Message::bytes("second\r\n"));
  EXPECT_FALSE(d2.result(0).has_value());
  c->close();
}

TEST(SmtpClient, DataRefusedPipelined) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.pipelined(1, "250 ok\r\n250 ok\r\n554 5.3.0 no data today\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(d.failure->stage, Stage::kData);
  EXPECT_TRUE(d.failure->permanent);
  auto r = d.result(0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->message, "data: 554 5.3.0 no data today");
  c->close();
}

TEST(SmtpClient, MessageRefusedAfterDot) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.pipelined(1, "250 ok\r\n250 ok\r\n354 go\r\n");
    p.data();
    p.send("554 5.7.1 spam\r\n");
    p.expect("MAIL");  // no RSET needed after a final reply
    p.expect("RCPT");
    p.expect("DATA");
    p.send("250 ok\r\n250 ok\r\n354 go\r\n");
    p.data();
    p.send("451 4.3.0 disk full\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d.result(0).has_value());
  EXPECT_EQ(d.result(0)->stage, Stage::kDot);
  EXPECT_TRUE(d.result(0)->permanent);
  Delivery d2 = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d2.result(0).has_value());
  EXPECT_EQ(d2.result(0)->stage, Stage::kDot);
  EXPECT_FALSE(d2.result(0)->permanent);
  c->close();
}

TEST(SmtpClient, MailRefused) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.pipelined(1, "550 5.7.1 go away\r\n503 5.5.1 no mail\r\n354 go\r\n");
    EXPECT_EQ(p.data(), ".\r\n");  // the empty message a confused server gets
    p.send("554 5.5.1 no recipients\r\n");
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(d.failure->stage, Stage::kMail);
  EXPECT_TRUE(d.failure->permanent);
  EXPECT_TRUE(d.rcpts.empty());
  EXPECT_EQ(d.result(0)->message, "mail: 550 5.7.1 go away");
  c->close();
}

TEST(SmtpClient, GreetingRefused) {
  Scripted s([&](Peer& p) {
    p.send("421 4.3.2 too busy\r\n");
    // The client just closes: a 421 means the server is closing.
    EXPECT_EQ(p.line(), "<eof>");
  });
  auto c = s.start();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kGreeting);
  EXPECT_FALSE(c.error().permanent);
  EXPECT_TRUE(c.error().connection_level());
  EXPECT_EQ(c.error().message, "greeting: 421 4.3.2 too busy");
  Error e = c.error();
  EXPECT_EQ(e.kind, ErrorKind::kTemporary);
}

TEST(SmtpClient, GreetingRefusedPermanently) {
  Scripted s([&](Peer& p) {
    p.send("554 no service for you\r\n");
    p.quit();  // RFC 5321 §3.1
  });
  auto c = s.start();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kGreeting);
  EXPECT_TRUE(c.error().permanent);
}

TEST(SmtpClient, ServerClosesMidTransaction) {
  Scripted s([&](Peer& p) {
    p.greet({});
    p.expect("MAIL");
    p.send("250 ok\r\n");
    p.expect("RCPT");
    // Closes without a reply.
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(d.failure->stage, Stage::kRcpt);
  EXPECT_FALSE(d.failure->permanent);
  EXPECT_FALSE(d.failure->reply.has_value());
  EXPECT_NE(d.failure->message.find("connection closed"), std::string::npos) << d.failure->message;
  EXPECT_TRUE(d.result(0).has_value());
  EXPECT_FALSE(c->usable());
  Delivery d2 = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d2.failure.has_value());
  c->close();
}

TEST(SmtpClient, Server421MidTransaction) {
  Scripted s([&](Peer& p) {
    p.greet({});
    p.expect("MAIL");
    p.send("421 4.3.2 shutting down\r\n");
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(d.failure->stage, Stage::kMail);
  EXPECT_FALSE(d.failure->permanent);
  EXPECT_FALSE(c->usable());
  c->close();  // no QUIT after a 421
}

TEST(SmtpClient, Server421Pipelined) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.pipelined(2, "250 ok\r\n250 ok\r\n421 4.4.5 too many sessions, closing\r\n");
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"bob@example.com", "carol@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(d.failure->message, "rcpt: 421 4.4.5 too many sessions, closing");
  EXPECT_FALSE(d.failure->permanent);
  // Bob's RCPT was accepted, but the message was not sent.
  ASSERT_TRUE(d.result(0).has_value());
  EXPECT_EQ(d.result(0)->reply->code, 421);
  EXPECT_FALSE(c->usable());
}

TEST(SmtpClient, EightBitWithout8BitMime) {
  Scripted s([&](Peer& p) {
    p.greet({"PIPELINING"});
    p.quit();  // nothing of the transaction was sent
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d =
      c->deliver(envelope({"bob@example.com"}), Message::bytes("Subject: caf\xc3\xa9\r\n\r\n"));
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_TRUE(d.failure->permanent);
  EXPECT_EQ(d.failure->stage, Stage::kMail);
  EXPECT_NE(d.failure->message.find("8BITMIME"), std::string::npos) << d.failure->message;
  c->close();
}

TEST(SmtpClient, SmtpUtf8NeededAndMissing) {
  Scripted s([&](Peer& p) {
    p.greet({"PIPELINING", "8BITMIME"});
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"j\xc3\xb8rgen@example.com"}), kX);
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_TRUE(d.failure->permanent);
  EXPECT_NE(d.failure->message.find("SMTPUTF8"), std::string::npos) << d.failure->message;
  Envelope e = envelope({"bob@example.com"});
  e.smtputf8 = true;  // e.g. UTF-8 header fields
  Delivery d2 = c->deliver(e, kX);
  ASSERT_TRUE(d2.failure.has_value());
  EXPECT_NE(d2.failure->message.find("SMTPUTF8"), std::string::npos);
  c->close();
}

TEST(SmtpClient, SmtpUtf8Used) {
  Scripted s([&](Peer& p) {
    p.greet(kModern);
    p.expect("MAIL FROM:<alice@example.org> BODY=8BITMIME SMTPUTF8 SIZE=");
    p.expect("RCPT TO:<j\xc3\xb8rgen@example.com>");
    p.expect("DATA");
    p.send("250 ok\r\n250 ok\r\n354 go\r\n");
    p.data();
    p.send("250 ok\r\n");
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d = c->deliver(envelope({"j\xc3\xb8rgen@example.com"}),
                          Message::bytes("To: j\xc3\xb8rgen\r\n\r\n"));
  EXPECT_FALSE(d.result(0).has_value());
}

TEST(SmtpClient, SizeLimit) {
  Scripted s([&](Peer& p) {
    p.greet({"SIZE 10"});
    p.quit();
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  Delivery d =
      c->deliver(envelope({"bob@example.com"}), Message::bytes("a message longer than ten\r\n"));
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_TRUE(d.failure->permanent);
  EXPECT_NE(d.failure->message.find("SIZE 10"), std::string::npos) << d.failure->message;
  c->close();
}

TEST(SmtpClient, HeloFallback) {
  Scripted s([&](Peer& p) {
    p.send("220 old.example.com SMTP\r\n");
    p.expect("EHLO client.example");
    p.send("502 what?\r\n");
    p.expect("HELO client.example");
    p.send("250 old.example.com\r\n");
    p.expect("MAIL FROM:<alice@example.org>");
    p.send("250 ok\r\n");
    p.expect("RCPT");
    p.send("250 ok\r\n");
    p.expect("DATA");
    p.send("354 go\r\n");
    p.data();
    p.send("250 ok\r\n");
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->extensions().pipelining);
  Delivery d = c->deliver(envelope({"bob@example.com"}), kX);
  EXPECT_FALSE(d.result(0).has_value());
}

TEST(SmtpClient, EhloRefused) {
  Scripted s([&](Peer& p) {
    p.send("220 mail.example.com ESMTP\r\n");
    p.expect("EHLO");
    p.send("550 5.7.1 not you\r\n");
  });
  auto c = s.start();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kEhlo);
  EXPECT_TRUE(c.error().permanent);
}

TEST(SmtpClient, GreetingTimeout) {
  Scripted s([&](Peer& p) { EXPECT_EQ(p.line(), "<eof>"); });
  Options o = test_options();
  o.timeouts.greeting = 200ms;
  auto start = std::chrono::steady_clock::now();
  auto c = s.start(o);
  ASSERT_FALSE(c.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(c.error().stage, Stage::kGreeting);
  EXPECT_FALSE(c.error().permanent);
  EXPECT_EQ(c.error().message, "greeting: timeout");
}

TEST(SmtpClient, MalformedReply) {
  Scripted s([&](Peer& p) {
    p.send("hello there\r\n");
    p.line();
  });
  auto c = s.start();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kGreeting);
  EXPECT_NE(c.error().message.find("malformed"), std::string::npos) << c.error().message;
}

TEST(SmtpClient, MessageFromFile) {
  TempDir dir;
  std::string path = dir.file("msg");
  std::string body;
  for (int i = 0; i < 20000; i++) body += i % 7 == 0 ? ".dotted line\n" : "a normal line of text\n";
  testing::write_text(path, body);
  std::string got;
  Scripted s([&](Peer& p) {
    p.greet({"PIPELINING"});
    p.pipelined(1, "250 ok\r\n250 ok\r\n354 go\r\n");
    got = p.data();
    p.send("250 ok\r\n");
  });
  auto c = s.start();
  ASSERT_TRUE(c.ok()) << c.error().message;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  Delivery d = c->deliver(envelope({"bob@example.com"}), Message::file(fd.get()));
  EXPECT_FALSE(d.result(0).has_value()) << d.result(0)->message;
  s.join();
  std::string expect;
  for (int i = 0; i < 20000; i++)
    expect += i % 7 == 0 ? "..dotted line\r\n" : "a normal line of text\r\n";
  EXPECT_EQ(got, expect + ".\r\n");
}

// ---------------------------------------------------------------------------
// TLS

struct TLSFixture {
  TLSFixture() {
    std::vector<tls::CertKey> certs;
    certs.push_back(testing::cert_key(testing::mail_cert()));
    auto c = tls::make_server_ctx(std::move(certs), "", {});
    if (!c) std::abort();
    ctx = std::move(*c);
    testing::write_text(dir.file("ca.pem"), testing::mail_cert().cert_pem);
  }
  TempDir dir;
  tls::SslCtxPtr ctx;
};

TEST(SmtpClient, OpportunisticStartTLS) {
  TLSFixture f;
  Scripted s([&](Peer& p) {
    p.greet({"STARTTLS", "PIPELINING"});
    p.expect("STARTTLS");
    p.send("220 2.0.0 go ahead\r\n");
    p.start_tls(f.ctx.get());
    p.ehlo({"PIPELINING", "8BITMIME"});  // RFC 3207 §4.2: EHLO again
    p.pipelined(1, "250 ok\r\n250 ok\r\n354 go\r\n");
    EXPECT_EQ(p.data(), "secret\r\n.\r\n");
    p.send("250 ok\r\n");
    p.quit();
  });
  Options o = test_options();
  o.tls = TLSMode::kOpportunistic;
  o.tls_verify = false;
  auto c = s.start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->tls());
  EXPECT_NE(c->tls_description().find("version=tls1."), std::string::npos) << c->tls_description();
  EXPECT_TRUE(c->extensions().eightbitmime);
  EXPECT_FALSE(c->extensions().starttls);
  Delivery d = c->deliver(envelope({"bob@example.com"}), Message::bytes("secret\r\n"));
  EXPECT_FALSE(d.result(0).has_value());
  c->close();
}

TEST(SmtpClient, StartTLSVerified) {
  TLSFixture f;
  Scripted s([&](Peer& p) {
    p.greet({"STARTTLS"});
    p.expect("STARTTLS");
    p.send("220 go ahead\r\n");
    p.start_tls(f.ctx.get());
    p.ehlo({});
    p.quit();
  });
  Options o = test_options();
  o.tls = TLSMode::kStartTLS;
  o.ca_file = f.dir.file("ca.pem");
  auto c = s.start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->tls());
  c->close();
}

TEST(SmtpClient, StartTLSWrongName) {
  TLSFixture f;
  Scripted s([&](Peer& p) {
    p.greet({"STARTTLS"});
    p.expect("STARTTLS");
    p.send("220 go ahead\r\n");
    (void)p.conn().start_tls_server(f.ctx.get(), 5s);  // fails: the client refuses the name
  });
  Options o = test_options();
  o.tls = TLSMode::kStartTLS;
  o.ca_file = f.dir.file("ca.pem");
  auto c = Client::start(std::move(s.client_conn), "other.example.com", o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kTLSHandshake);
  EXPECT_FALSE(c.error().permanent);
  EXPECT_EQ(c.error().message.rfind("starttls: tls handshake", 0), 0u) << c.error().message;
  EXPECT_NE(c.error().message.find("certificate verify failed"), std::string::npos)
      << c.error().message;
}

TEST(SmtpClient, OpportunisticHandshakeFails) {
  Scripted s([&](Peer& p) {
    p.greet({"STARTTLS"});
    p.expect("STARTTLS");
    p.send("220 go ahead\r\n");
    p.send("this is not tls\r\n\r\n\r\n\r\n");
  });
  Options o = test_options();
  o.tls = TLSMode::kOpportunistic;
  o.tls_verify = false;
  auto c = s.start(o);
  ASSERT_FALSE(c.ok());
  EXPECT_FALSE(c.error().permanent);
  EXPECT_TRUE(c.error().connection_level());
  EXPECT_EQ(c.error().message.rfind("starttls:", 0), 0u) << c.error().message;
}

TEST(SmtpClient, StartTLSInjectionRefused) {
  Scripted s([&](Peer& p) {
    p.greet({"STARTTLS"});
    p.expect("STARTTLS");
    p.send("220 go ahead\r\n250 injected before tls\r\n");
    p.line();
  });
  Options o = test_options();
  o.tls = TLSMode::kOpportunistic;
  o.tls_verify = false;
  auto c = s.start(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kStartTLS);
  EXPECT_NE(c.error().message.find("after its STARTTLS reply"), std::string::npos);
}

TEST(SmtpClient, StartTLSRequiredNotOffered) {
  Scripted s([&](Peer& p) {
    p.greet({"PIPELINING"});
    p.line();
  });
  Options o = test_options();
  o.tls = TLSMode::kStartTLS;
  auto c = s.start(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kStartTLS);
  EXPECT_NE(c.error().message.find("does not offer STARTTLS"), std::string::npos);
}

TEST(SmtpClient, ImplicitTLSAndAuthPlain) {
  TLSFixture f;
  std::string auth_line;
  Scripted s([&](Peer& p) {
    p.start_tls(f.ctx.get());
    p.greet({"AUTH PLAIN", "PIPELINING"});
    auth_line = p.expect("AUTH PLAIN ");
    p.send("235 2.7.0 nice\r\n");
    p.quit();
  });
  Options o = test_options();
  o.tls = TLSMode::kImplicit;
  o.tls_verify = false;
  o.auth = AuthOptions{"bob@example.com", "pw secret", "", ""};
  std::vector<std::string> logs;
  o.log = [&](const std::string& l) { logs.push_back(l); };
  auto c = s.start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->auth_mechanism(), "PLAIN");
  c->close();
  s.join();
  auto decoded = base64_decode(auth_line.substr(11));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, std::string("\0bob@example.com\0pw secret", 26));
  for (const auto& l : logs) EXPECT_EQ(l.find("pw secret"), std::string::npos) << l;
  for (const auto& l : logs) EXPECT_EQ(l.find(auth_line.substr(11)), std::string::npos) << l;
}

TEST(SmtpClient, AuthFailedAndPlainRefusedWithoutTLS) {
  {
    TLSFixture f;
    Scripted s([&](Peer& p) {
      p.start_tls(f.ctx.get());
      p.send("220 mail.example.com ESMTP\r\n");
      p.ehlo({"AUTH CRAM-MD5 PLAIN"});
      p.expect("AUTH CRAM-MD5");
      p.send("334 " + base64_encode("<1.2@mail.example.com>") + "\r\n");
      std::string resp = p.line();
      auto dec = base64_decode(resp);
      EXPECT_TRUE(dec.ok() && dec->rfind("bob@example.com ", 0) == 0);
      p.send("535 5.7.8 bad credentials\r\n");
      p.line();
    });
    Options o = test_options();
    o.tls = TLSMode::kImplicit;
    o.tls_verify = false;
    o.auth = AuthOptions{"bob@example.com", "wrong", "", ""};
    auto c = s.start(o);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().stage, Stage::kAuth);
    EXPECT_TRUE(c.error().permanent);
    EXPECT_EQ(c.error().message, "auth CRAM-MD5: 535 5.7.8 bad credentials");
  }
  {
    Scripted s([&](Peer& p) {
      p.send("220 mail.example.com ESMTP\r\n");
      p.ehlo({"AUTH PLAIN LOGIN"});
      EXPECT_EQ(p.line(), "<eof>");  // no password in the clear
    });
    Options o = test_options();
    o.auth = AuthOptions{"bob@example.com", "pw", "", ""};
    auto c = s.start(o);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().stage, Stage::kAuth);
    EXPECT_NE(c.error().message.find("without tls"), std::string::npos) << c.error().message;
  }
}

TEST(SmtpClient, ClientCertificatePresentedAndExternal) {
  TLSFixture f;
  tls::ServerTLSOptions so;
  so.request_client_cert = true;
  std::vector<tls::CertKey> certs;
  certs.push_back(testing::cert_key(testing::mail_cert()));
  auto sctx = tls::make_server_ctx(std::move(certs), "", so);
  ASSERT_TRUE(sctx.ok());
  testing::TestCert client = testing::make_cert("client.example", true);
  std::string got_fp, want_fp;
  Scripted s([&](Peer& p) {
    p.start_tls(sctx->get());
    X509* peer = p.conn().peer_certificate();
    EXPECT_NE(peer, nullptr);
    if (peer) got_fp = crypto::cert_spki_fingerprint(peer).value();
    p.greet({"AUTH EXTERNAL PLAIN"});
    p.expect("AUTH EXTERNAL =");  // RFC 4954 §4: empty initial response
    p.send("235 2.7.0 nice\r\n");
    p.quit();
  });
  Options o = test_options();
  o.tls = TLSMode::kImplicit;
  o.tls_verify = false;
  o.client_cert = std::make_shared<tls::CertKey>(testing::cert_key(client));
  want_fp = crypto::cert_spki_fingerprint(o.client_cert->leaf.get()).value();
  o.auth = AuthOptions{"", "", "EXTERNAL", ""};
  auto c = s.start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->auth_mechanism(), "EXTERNAL");
  c->close();
  s.join();
  EXPECT_EQ(got_fp, want_fp);
}

// ---------------------------------------------------------------------------
// dial

TEST(SmtpClient, DialTriesNextAddress) {
  int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(ls, 0);
  UniqueFd listener(ls);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(ls, 4), 0);
  socklen_t len = sizeof sa;
  ASSERT_EQ(::getsockname(ls, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  int port = ntohs(sa.sin_port);
  std::thread t([&] {
    int fd = ::accept(ls, nullptr, nullptr);
    ASSERT_GE(fd, 0);
    Peer p{net::Conn(UniqueFd(fd))};
    p.greet({});
    p.quit();
    p.close();
  });
  std::vector<std::string> logs;
  Options o = test_options();
  o.log = [&](const std::string& l) { logs.push_back(l); };
  // 127.0.0.2 is loopback too, but nothing listens there on this port.
  auto c = Client::dial("mail.example.com", {"127.0.0.2", "127.0.0.1"}, port, o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->remote(), "mail.example.com [127.0.0.1]:" + std::to_string(port));
  c->close();
  t.join();
  ASSERT_GE(logs.size(), 2u);
  EXPECT_NE(logs[0].find("127.0.0.2:" + std::to_string(port) + ": connect"), std::string::npos)
      << logs[0];
}

TEST(SmtpClient, DialAllFail) {
  Options o = test_options();
  auto c = Client::dial("mail.example.com", {"127.0.0.2"}, 1, o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().stage, Stage::kConnect);
  EXPECT_FALSE(c.error().permanent);
  EXPECT_TRUE(c.error().connection_level());
  auto none = Client::dial("mail.example.com", {}, 25, o);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().stage, Stage::kConnect);
}

}  // namespace
}  // namespace mox::smtpclient
