// Conversation scripts for the I/O-free SMTP session (send / expect).
#include <gtest/gtest.h>

#include <map>

#include "sasl/secrets.h"
#include "smtpserver/session.h"
#include "util/encoding.h"

namespace mox::smtpserver {
namespace {

TLSState tls_on(const char* description) {
  TLSState t;
  t.active = true;
  t.description = description;
  return t;
}

class FakeCreds : public sasl::Credentials {
 public:
  FakeCreds() {
    auto s = sasl::derive_secrets("password1234");
    record_ = *s;
  }
  Result<sasl::AuthUser> lookup(std::string_view username) override {
    if (username == "mjl@example.com") return sasl::AuthUser{"mjl", "mjl@example.com", record_, ""};
    if (username == "off@example.com") {
      return sasl::AuthUser{"off", "off@example.com", record_, "moved away"};
    }
    return not_found("no such user");
  }

 private:
  sasl::PasswordSecrets record_;
};

class StringSpool : public Spool {
 public:
  explicit StringSpool(std::string* out) : out_(out) {}
  Status append(std::string_view b) override {
    out_->append(b);
    return {};
  }

 private:
  std::string* out_;
};

class FakeBackend : public Backend {
 public:
  RcptResult check_recipient(const smtp::Address& a, const std::string&) override {
    if (a.domain().str() == "disabled.example") return {RcptStatus::kDomainDisabled, "", ""};
    if (a.domain().str() != "example.com") return {RcptStatus::kRemote, "", ""};
    if (a.localpart().value() == "mjl") return {RcptStatus::kLocal, "mjl", "Inbox"};
    return {RcptStatus::kUnknown, "", ""};
  }
  SenderStatus check_sender(const std::string& account, const smtp::Address& from) override {
    if (from.domain().str() == "disabled.example") return SenderStatus::kDomainDisabled;
    return account == "mjl" && from.str() == "mjl@example.com" ? SenderStatus::kOk
                                                               : SenderStatus::kNotAllowed;
  }
  bool auth_allowed() override { return allowed; }
  void auth_attempt(std::string_view mech, std::string_view user, std::string_view account,
                    std::string_view result) override {
    attempts.push_back(std::string(mech) + " " + std::string(user) + " " + std::string(account) +
                       " " + std::string(result));
  }
  sasl::Context sasl_context(const TLSState& tls) override {
    sasl::Context c;
    c.creds = &creds;
    c.tls = tls.active;
    c.channel_binding = tls.channel_binding;
    c.hostname = "mail.example.com";
    return c;
  }
  Result<std::unique_ptr<Spool>> begin_message() override {
    current.clear();
    return std::unique_ptr<Spool>(new StringSpool(&current));
  }
  smtp::Reply deliver(const SessionInfo& info, const Transaction& tx,
                      std::unique_ptr<Spool>) override {
    delivered.push_back(current);
    headers.push_back(info.header);
    rcpts = tx.rcpts.size();
    return {250, "0.0", "ok"};
  }

  FakeCreds creds;
  bool allowed = true;
  std::string current;
  std::vector<std::string> delivered, headers, attempts;
  size_t rcpts = 0;
};

class SessionTest : public ::testing::Test {
 protected:
  void start(Mode mode, bool tls = false) {
    Settings s;
    s.mode = mode;
    s.hostname = "mail.example.com";
    s.tls_configured = true;
    s.max_message_size = 5000;
    s.auth_delay_unit = std::chrono::milliseconds(1);
    session_ = std::make_unique<Session>(s, backend_);
    if (tls) session_->tls_started(tls_on("version=tls1.3"));
    greeting_ = session_->greeting();
  }
  // Sends `in` and returns all reply bytes.
  std::string send(std::string_view in) {
    last_ = session_->feed(in);
    return last_.reply;
  }
  void ehlo() { ASSERT_EQ(send("EHLO client.example\r\n").substr(0, 3), "250"); }

  FakeBackend backend_;
  std::unique_ptr<Session> session_;
  Output greeting_, last_;
};

TEST_F(SessionTest, GreetingAndEhlo) {
  start(Mode::kSmtp);
  EXPECT_EQ(greeting_.reply, "220 mail.example.com ESMTP mox\r\n");
  std::string r = send("EHLO client.example\r\n");
  EXPECT_EQ(r,
            "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 5000\r\n250-STARTTLS\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n"
            "250 LIMITS RCPTMAX=1000\r\n");
  EXPECT_EQ(send("HELO x.example\r\n"), "250 mail.example.com\r\n");
  EXPECT_EQ(send("EHLO -bad-\r\n"), "501 5.5.4 invalid EHLO domain or address literal\r\n");
}

TEST_F(SessionTest, DeliveryWithDotStuffing) {
  start(Mode::kSmtp);
  ehlo();
  EXPECT_EQ(send("MAIL FROM:<a@remote.example>\r\n"), "250 2.1.0 ok\r\n");
  EXPECT_EQ(send("RCPT TO:<mjl@example.com>\r\n"), "250 2.1.5 ok\r\n");
  EXPECT_EQ(send("RCPT TO:<nobody@example.com>\r\n"), "550 5.1.1 no such user\r\n");
  EXPECT_EQ(send("RCPT TO:<x@other.example>\r\n"), "550 5.7.1 relaying not allowed\r\n");
  EXPECT_EQ(send("RCPT TO:<x@disabled.example>\r\n"),
            "450 4.2.1 recipient domain temporarily disabled\r\n");
  EXPECT_EQ(send("DATA\r\n"), "354 continue\r\n");
  EXPECT_EQ(send("Subject: hi\r\n\r\n..dot\r\n.\r"), "");
  EXPECT_EQ(send("\n"), "250 2.0.0 ok\r\n");
  ASSERT_EQ(backend_.delivered.size(), 1u);
  EXPECT_EQ(backend_.delivered[0], "Subject: hi\r\n\r\n.dot\r\n");
  EXPECT_EQ(backend_.headers[0], "Subject: hi\r\n\r\n");
}

TEST_F(SessionTest, Pipelining) {
  start(Mode::kSmtp);
  std::string r = send(
      "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<mjl@example.com>\r\nRCPT TO:<mjl@example.com>\r\n"
      "DATA\r\nx\r\n.\r\nQUIT\r\n");
  EXPECT_NE(r.find("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 continue\r\n250 2.0.0 "
                   "ok\r\n221 2.0.0 bye\r\n"),
            std::string::npos);
  EXPECT_TRUE(last_.close);
  EXPECT_EQ(backend_.rcpts, 2u);
}

// SMTP smuggling (CVE-2023-51764): only <CRLF>.<CRLF> ends DATA, and bare CR
// or LF anywhere makes the message refused; nothing is delivered.
TEST_F(SessionTest, SmugglingVectorsRefused) {
  for (std::string vec : std::vector<std::string>{
           "a\n.\nMAIL FROM:<x@y.example>\r\n", "a\r\n.\nb\r\n", "a\n.\r\nb\r\n", "a\rb\r\n",
           "a\r\n.\r",
           "body\n.\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\nevil\r\n",
           std::string(70000, 'x') + ".\r\nNOOP\r\n"}) {
    start(Mode::kSmtp);
    ehlo();
    send("MAIL FROM:<a@remote.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\n");
    std::string r = send(vec + "\r\n.\r\n");
    EXPECT_TRUE(r.find("500 5.5.2 bare carriage return or newline") != std::string::npos ||
                r.find("500 5.5.2 line too long") != std::string::npos ||
                r.find("552 5.3.4 message too large") != std::string::npos)
        << r;
    EXPECT_EQ(r.find("250"), std::string::npos) << r;
    EXPECT_TRUE(backend_.delivered.empty()) << vec;
    // The session continues in command state.
    EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 ok\r\n");
  }
}

TEST_F(SessionTest, StartTLSInjectionRefused) {
  start(Mode::kSmtp);
  ehlo();
  std::string r = send("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n");
  EXPECT_EQ(r, "554 5.5.0 pipelined input after STARTTLS not allowed, closing\r\n");
  EXPECT_FALSE(last_.start_tls);
  EXPECT_TRUE(last_.close);
  start(Mode::kSmtp);
  ehlo();
  EXPECT_EQ(send("STARTTLS\r\n"), "220 2.0.0 go!\r\n");
  EXPECT_TRUE(last_.start_tls);
  session_->tls_started(tls_on(""));
  EXPECT_EQ(send("MAIL FROM:<a@b.example>\r\n"), "503 5.5.1 send EHLO/HELO first\r\n");
  EXPECT_EQ(send("EHLO c.example\r\n").find("STARTTLS"), std::string::npos);
}

TEST_F(SessionTest, SizeLineAndNulLimits) {
  start(Mode::kSmtp);
  ehlo();
  EXPECT_EQ(send("MAIL FROM:<a@b.example> SIZE=5001\r\n"), "552 5.3.4 message too large\r\n");
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\n");
  EXPECT_EQ(send(std::string(5100, 'x') + "\r\n.\r\n"), "552 5.3.4 message too large\r\n");
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\n");
  EXPECT_NE(send(std::string(999, 'x') + "\r\n.\r\n").find("500 5.5.2 line too long"),
            std::string::npos);
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\n");
  EXPECT_EQ(send(std::string("a\0b\r\n.\r\n", 8)), "554 5.6.0 NUL byte in message not allowed\r\n");
  EXPECT_TRUE(backend_.delivered.empty());
}

TEST_F(SessionTest, Bdat) {
  start(Mode::kSmtp);
  ehlo();
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\n");
  EXPECT_EQ(send("BDAT 5\r\nab\r\nc"), "250 2.0.0 chunk received\r\n");
  EXPECT_EQ(send("BDAT 3 LAST\r\nd\r\n"), "250 2.0.0 ok\r\n");
  ASSERT_EQ(backend_.delivered.size(), 1u);
  EXPECT_EQ(backend_.delivered[0], "ab\r\ncd\r\n");
  // An empty message is refused, by BDAT 0 LAST as by an immediate ".".
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\n");
  EXPECT_EQ(send("BDAT 0 LAST\r\n"), "554 5.6.0 empty message not allowed\r\n");
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\nDATA\r\n");
  EXPECT_EQ(send(".\r\n"), "554 5.6.0 empty message not allowed\r\n");
  EXPECT_EQ(backend_.delivered.size(), 1u);
  // DATA inside a BDAT transaction names the real problem; the chunks so far
  // still end in a message.
  send("MAIL FROM:<a@b.example>\r\nRCPT TO:<mjl@example.com>\r\n");
  EXPECT_EQ(send("BDAT 3\r\nx\r\n"), "250 2.0.0 chunk received\r\n");
  EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 DATA not allowed after BDAT\r\n");
  EXPECT_EQ(send("BDAT 0 LAST\r\n"), "250 2.0.0 ok\r\n");
  EXPECT_EQ(backend_.delivered.size(), 2u);
  // A refused BDAT still consumes its chunk: the data is never read as commands.
  EXPECT_EQ(send("BDAT 6\r\nRSET\r\nNOOP\r\n"),
            "503 5.5.1 MAIL and RCPT first\r\n250 2.0.0 ok\r\n");
  EXPECT_EQ(send("BDAT x\r\n"), "501 5.5.4 invalid BDAT size, closing connection\r\n");
}

TEST_F(SessionTest, SubmissionNeedsTLSAndAuth) {
  start(Mode::kSubmission);
  std::string r = send("EHLO c.example\r\n");
  EXPECT_EQ(r.find("AUTH"), std::string::npos);  // no mechanisms before TLS
  EXPECT_EQ(send("AUTH PLAIN AG1qbEBleGFtcGxlLmNvbQBwYXNzd29yZDEyMzQ=\r\n"),
            "538 5.7.11 authentication requires tls\r\n");
  EXPECT_EQ(send("MAIL FROM:<mjl@example.com>\r\n"), "530 5.7.0 authentication required\r\n");
}

TEST_F(SessionTest, AuthMechanisms) {
  start(Mode::kSubmission, true);
  std::string r = send("EHLO c.example\r\n");
  EXPECT_NE(r.find("250-AUTH SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN\r\n"),
            std::string::npos)
      << r;
  EXPECT_EQ(send("AUTH BOGUS\r\n"), "504 5.5.4 unrecognized authentication mechanism\r\n");
  std::string bad = base64_encode(std::string("\0mjl@example.com\0wrong", 22));
  EXPECT_EQ(send("AUTH PLAIN " + bad + "\r\n"), "535 5.7.8 bad user/pass\r\n");
  std::string role = base64_encode(std::string("x@example.com\0mjl@example.com\0password1234", 42));
  EXPECT_EQ(send("AUTH PLAIN " + role + "\r\n"), "535 5.7.8 cannot assume other role\r\n");
  std::string off = base64_encode(std::string("\0off@example.com\0password1234", 29));
  EXPECT_EQ(send("AUTH PLAIN " + off + "\r\n"),
            "525 5.7.13 login disabled for account: moved away\r\n");
  EXPECT_EQ(send("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(send("*\r\n"), "501 5.0.0 authentication aborted\r\n");
  EXPECT_EQ(send("AUTH LOGIN " + base64_encode("mjl@example.com") + "\r\n"),
            "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(send(base64_encode("password1234") + "\r\n"), "235 2.7.0 nice\r\n");
  EXPECT_EQ(send("AUTH PLAIN =\r\n"), "503 5.5.1 already authenticated\r\n");
  EXPECT_EQ(send("MAIL FROM:<other@example.com>\r\n"),
            "550 5.7.1 address not allowed for authenticated user\r\n");
  EXPECT_EQ(send("MAIL FROM:<mjl@disabled.example>\r\n"),
            "451 4.3.0 domain of smtp mail from is temporarily disabled\r\n");
  EXPECT_EQ(send("MAIL FROM:<mjl@example.com>\r\n"), "250 2.1.0 ok\r\n");
  EXPECT_EQ(send("RCPT TO:<x@remote.example>\r\n"), "250 2.1.5 ok\r\n");
  ASSERT_GE(backend_.attempts.size(), 4u);
  EXPECT_EQ(backend_.attempts.back(), "login mjl@example.com mjl ok");
  EXPECT_EQ(backend_.attempts[0], "plain mjl@example.com mjl badcreds");
}

TEST_F(SessionTest, FailedAuthSlowsDown) {
  start(Mode::kSubmission, true);
  ehlo();
  std::string bad = base64_encode(std::string("\0mjl@example.com\0wrong", 22));
  for (int i = 1; i <= 5; ++i) {
    send("AUTH PLAIN " + bad + "\r\n");
    EXPECT_EQ(last_.delay.count(), i > 3 ? i - 3 : 0) << i;
  }
}

TEST_F(SessionTest, LimiterRefusesConnection) {
  backend_.allowed = false;
  start(Mode::kSubmission, true);
  EXPECT_EQ(greeting_.reply, "421 4.7.0 too many auth failures\r\n");
  EXPECT_TRUE(greeting_.close);
}

// RFC 5321 §4.5.3.1.10: recipients over the limit get 452 and the client
// sends them in a later transaction; they are not errors that end the
// session, and the transaction goes on with the accepted ones.
TEST_F(SessionTest, RecipientsOverLimitAreNotErrors) {
  start(Mode::kSmtp);
  ehlo();
  send("MAIL FROM:<a@b.example>\r\n");
  std::string r;
  for (int i = 0; i < 1100; ++i) r += send("RCPT TO:<mjl@example.com>\r\n");
  EXPECT_EQ(r.find("421"), std::string::npos);
  EXPECT_NE(r.find("452 4.5.3 too many recipients"), std::string::npos);
  EXPECT_EQ(send("DATA\r\n"), "354 continue\r\n");
  EXPECT_EQ(send("Subject: x\r\n\r\nhi\r\n.\r\n"), "250 2.0.0 ok\r\n");
  EXPECT_EQ(backend_.rcpts, 1000u);
}

TEST_F(SessionTest, CommandErrors) {
  start(Mode::kSmtp);
  EXPECT_EQ(send("MAIL FROM:<a@b.example>\r\n"), "503 5.5.1 send EHLO/HELO first\r\n");
  EXPECT_EQ(send("NOOP\n"),
            "500 5.5.2 bare newline, lines must end with CRLF (RFC 5321 §2.3.8)\r\n");
  EXPECT_EQ(send("VRFY x\r\n").substr(0, 3), "252");
  ehlo();
  EXPECT_EQ(send("MAIL FROM:<\xc3\xa9@b.example>\r\n"),
            "553 5.6.7 non-ascii address requires SMTPUTF8\r\n");
  EXPECT_EQ(send("MAIL FROM:<\xc3\xa9@b.example> SMTPUTF8\r\n"), "250 2.1.0 ok\r\n");
  EXPECT_EQ(send("RSET\r\n"), "250 2.0.0 all clear\r\n");
  EXPECT_EQ(send("MAIL FROM:<a@b.example> FOO=1\r\n"), "555 5.5.4 unrecognized parameter FOO\r\n");
  std::string r;
  for (int i = 0; i < 10; ++i) r += send("BOGUS\r\n");
  EXPECT_NE(r.find("421 4.7.0 too many errors"), std::string::npos);
  EXPECT_EQ(send("NOOP\r\n"), "");  // closed
}

}  // namespace
}  // namespace mox::smtpserver
