// The preauthenticated session (mox-imapd(8) "PREAUTH", RFC 9051 §7.1.4):
// Session::preauth starts it in the authenticated state.
#include <gtest/gtest.h>

#include "imapserver/session.h"
#include "imapserver_test_util.h"

namespace mox::imapserver {
namespace {

class ImapPreauthTest : public testutil::ImapSessionTest {
 protected:
  // A new session, as mox-imapd --preauth makes it: no TLS, none offered.
  void start_preauth() {
    Settings s = settings_;
    s.tls_configured = false;
    session_ = std::make_unique<Session>(s, *backend_);
    auto store = backend_->open_account("mjl");
    ASSERT_TRUE(store) << store.error().message;
    greeting_ = session_->preauth("mjl", "mjl", std::move(*store), "preauth").reply;
  }
};

TEST_F(ImapPreauthTest, GreetingIsPreauthWithoutLoginCapabilities) {
  start_preauth();
  EXPECT_EQ(greeting_.substr(0, 36), "* PREAUTH [CAPABILITY IMAP4rev2 IMAP");
  EXPECT_EQ(greeting_.substr(greeting_.size() - 20), "] Logged in as mjl\r\n");
  for (const char* cap : {"AUTH=", "STARTTLS", "LOGINDISABLED"})
    EXPECT_EQ(greeting_.find(cap), std::string::npos) << cap;
  EXPECT_NE(greeting_.find(" IDLE "), std::string::npos);
  EXPECT_NE(greeting_.find(" COMPRESS=DEFLATE NOTIFY "), std::string::npos);
  EXPECT_EQ(session_->account(), "mjl");
  EXPECT_FALSE(session_->watch_dir().empty());
  std::string caps = send("a CAPABILITY\r\n");
  EXPECT_EQ(caps.find("STARTTLS"), std::string::npos) << caps;
  EXPECT_EQ(caps.find("AUTH="), std::string::npos) << caps;
}

// RFC 9051 §3: a command not allowed in the state is answered BAD or NO;
// LOGIN and AUTHENTICATE get NO, as after any login (verbs.cc), STARTTLS BAD.
TEST_F(ImapPreauthTest, LoginAuthenticateStarttlsRefused) {
  start_preauth();
  EXPECT_EQ(send("a LOGIN mjl@example.com password1234\r\n"),
            "a NO not allowed in this connection state\r\n");
  EXPECT_EQ(send("b AUTHENTICATE PLAIN\r\n"), "b NO not allowed in this connection state\r\n");
  EXPECT_EQ(send("c STARTTLS\r\n"), "c BAD no tls configured\r\n");
  EXPECT_FALSE(last_.start_tls);
  EXPECT_EQ(session_->account(), "mjl");
}

// The session works as after a login: mailboxes, APPEND, SELECT, FETCH, IDLE.
TEST_F(ImapPreauthTest, AuthenticatedCommandsWork) {
  start_preauth();
  EXPECT_EQ(send("a FETCH 1 UID\r\n"), "a BAD no mailbox selected\r\n");
  std::string m = "Subject: hi\r\n\r\nhello\r\n";
  EXPECT_NE(send("b APPEND INBOX (\\Seen) {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n")
                .find("b OK [APPENDUID "),
            std::string::npos);
  std::string r = send("c SELECT INBOX\r\n");
  EXPECT_NE(r.find("* 1 EXISTS\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("c OK [READ-WRITE]"), std::string::npos) << r;
  r = send("d FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
  EXPECT_NE(r.find("\\Seen)"), std::string::npos) << r;
  EXPECT_NE(r.find("Subject: hi"), std::string::npos) << r;
  EXPECT_EQ(send("e IDLE\r\n"), "+ idling\r\n");
  EXPECT_TRUE(last_.idle);
  EXPECT_EQ(send("DONE\r\n"), "e OK idle done\r\n");
  EXPECT_EQ(send("f LOGOUT\r\n"), "* BYE thanks\r\nf OK logout done\r\n");
  EXPECT_TRUE(last_.close);
}

// docs/DESIGN.md "Login attempts": recorded as a login's, with mechanism
// "preauth", at the client's ID or its first other command.
TEST_F(ImapPreauthTest, LoginAttemptRecorded) {
  backend_->attempts.clear();
  start_preauth();
  EXPECT_TRUE(backend_->attempts.empty());
  send("a ID (\"name\" \"mbsync\")\r\n");
  EXPECT_EQ(backend_->attempts, (std::vector<std::string>{"preauth ok"}));
  send("b NOOP\r\n");
  EXPECT_EQ(backend_->attempts, (std::vector<std::string>{"preauth ok"}));
  // Without ID, the next command records it.
  backend_->attempts.clear();
  start_preauth();
  send("c NOOP\r\n");
  EXPECT_EQ(backend_->attempts, (std::vector<std::string>{"preauth ok"}));
}

// An account removed or login-disabled meanwhile ends the session, as after
// a login.
TEST_F(ImapPreauthTest, AccountGoneEndsSession) {
  start_preauth();
  backend_->gone = "login disabled for account: moved";
  EXPECT_EQ(send("a NOOP\r\n"), "* BYE login disabled for account: moved\r\n");
  EXPECT_TRUE(last_.close);
}

}  // namespace
}  // namespace mox::imapserver
