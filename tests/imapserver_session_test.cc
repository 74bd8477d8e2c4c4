// Conversation scripts for the IMAP session over a real account store.
#include <gtest/gtest.h>

#include <regex>

#include "imapserver/session.h"
#include "imapserver_test_util.h"
#include "util/encoding.h"

namespace mox::imapserver {
namespace {

using testutil::ImapSessionTest;
using testutil::tls_on;

TEST_F(ImapSessionTest, GreetingAndLoginRules) {
  EXPECT_EQ(greeting_.substr(0, 30), "* OK [CAPABILITY IMAP4rev2 IMA");
  EXPECT_NE(greeting_.find("STARTTLS LOGINDISABLED] mox imap"), std::string::npos);
  EXPECT_EQ(send("a LOGIN mjl@example.com password1234\r\n"),
            "a NO [PRIVACYREQUIRED] tls required for login\r\n");
  EXPECT_EQ(send("b STARTTLS\r\n"), "b OK begin TLS now\r\n");
  EXPECT_TRUE(last_.start_tls);
  session_->tls_started(tls_on(""));
  EXPECT_EQ(send("c LOGIN mjl@example.com wrong\r\n"),
            "c NO [AUTHENTICATIONFAILED] bad credentials\r\n");
  EXPECT_EQ(send("d LOGIN off@example.com password1234\r\n"),
            "d NO login disabled for account: moved\r\n");
  EXPECT_EQ(send("e SELECT INBOX\r\n"), "e BAD not allowed in this connection state\r\n");
  std::string ir = base64_encode(std::string("\0mjl@example.com\0password1234", 29));
  EXPECT_NE(send("f AUTHENTICATE PLAIN " + ir + "\r\n").find("f OK [CAPABILITY"),
            std::string::npos);
  // The successful attempt waits for ID or the next command (docs/DESIGN.md
  // "Login attempts").
  EXPECT_EQ(backend_->attempts,
            (std::vector<std::string>{"login badcreds", "login logindisabled"}));
  EXPECT_EQ(send("g LOGIN x y\r\n"), "g NO not allowed in this connection state\r\n");
  EXPECT_EQ(backend_->attempts,
            (std::vector<std::string>{"login badcreds", "login logindisabled", "plain ok"}));
}

// The verb table (lib/imapserver/verbs.cc): a command outside its states is
// refused, BAD but for LOGIN and AUTHENTICATE (NO), with the same text in
// every state but one: a selected-state command while authenticated.
TEST_F(ImapSessionTest, VerbTableStates) {
  session_->tls_started(tls_on(""));
  EXPECT_EQ(send("a FETCH 1 UID\r\n"), "a BAD not allowed in this connection state\r\n");
  EXPECT_EQ(send("b LIST \"\" *\r\n"), "b BAD not allowed in this connection state\r\n");
  EXPECT_EQ(send("c IDLE\r\n"), "c BAD not allowed in this connection state\r\n");
  EXPECT_EQ(send("d NOOP\r\n"), "d OK noop done\r\n");
  EXPECT_EQ(send("e ID NIL\r\n"), "* ID (\"name\" \"mox\")\r\ne OK id done\r\n");
  EXPECT_EQ(send("f STARTTLS\r\n"), "f BAD tls already active\r\n");
  ASSERT_NE(send("g LOGIN mjl@example.com password1234\r\n").find("g OK [CAPABILITY"),
            std::string::npos);
  EXPECT_EQ(send("h FETCH 1 UID\r\n"), "h BAD no mailbox selected\r\n");
  EXPECT_EQ(send("i UNSELECT\r\n"), "i BAD no mailbox selected\r\n");
  EXPECT_EQ(send("j AUTHENTICATE PLAIN\r\n"), "j NO not allowed in this connection state\r\n");
  EXPECT_EQ(send("k SELECT INBOX\r\n").substr(0, 2), "* ");
  EXPECT_EQ(send("l LOGIN x y\r\n"), "l NO not allowed in this connection state\r\n");
  EXPECT_EQ(send("m FETCH 1:* UID\r\n"), "m OK fetch done\r\n");
  EXPECT_EQ(send("n UNSELECT\r\n"), "n OK unselect done\r\n");
  EXPECT_EQ(send("o CHECK\r\n"), "o BAD no mailbox selected\r\n");
}

TEST_F(ImapSessionTest, StartTLSInjection) {
  std::string r = send("a STARTTLS\r\nb LOGIN x y\r\n");
  EXPECT_NE(r.find("* BYE pipelined input after STARTTLS not allowed"), std::string::npos);
  EXPECT_FALSE(last_.start_tls);
  EXPECT_TRUE(last_.close);
}

TEST_F(ImapSessionTest, AppendSelectFetchStoreSearch) {
  login();
  std::string msg = "From: a@b.example\r\nSubject: hello\r\n\r\nbody text\r\n";
  std::string r = send("a APPEND INBOX (\\Flagged) {" + std::to_string(msg.size()) + "}\r\n");
  EXPECT_EQ(r, "+ ok\r\n");
  r = send(msg + "\r\n");
  EXPECT_NE(r.find("a OK [APPENDUID "), std::string::npos) << r;
  EXPECT_EQ(send("b APPEND Nope {1+}\r\nx\r\n"), "b NO [TRYCREATE] mailbox does not exist\r\n");
  r = send("c SELECT INBOX\r\n");
  EXPECT_NE(r.find("* 1 EXISTS\r\n"), std::string::npos);
  EXPECT_NE(r.find("c OK [READ-WRITE] select done\r\n"), std::string::npos);
  r = send("d FETCH 1 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
  EXPECT_EQ(
      r,
      "* 1 FETCH (UID 1 FLAGS (\\Recent \\Flagged) RFC822.SIZE " + std::to_string(msg.size()) +
          " BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n)\r\nd OK fetch done\r\n");
  r = send("e FETCH 1 BODY[TEXT]\r\n");
  EXPECT_NE(r.find("BODY[TEXT] {11}\r\nbody text\r\n"), std::string::npos);
  EXPECT_NE(r.find("FLAGS (\\Recent \\Seen \\Flagged)"), std::string::npos) << r;
  EXPECT_EQ(send("f SEARCH SUBJECT hello SEEN\r\n"), "* SEARCH 1\r\nf OK search done\r\n");
  EXPECT_EQ(send("g SEARCH UNSEEN\r\n"), "* SEARCH\r\ng OK search done\r\n");
  EXPECT_EQ(send("h UID SEARCH RETURN (MIN COUNT) TEXT body\r\n"),
            "* ESEARCH (TAG \"h\") UID MIN 1 COUNT 1\r\nh OK search done\r\n");
  EXPECT_EQ(send("i STORE 1 -FLAGS.SILENT (\\Flagged)\r\n"), "i OK store done\r\n");
  EXPECT_EQ(send("j FETCH 1 FLAGS\r\n"),
            "* 1 FETCH (FLAGS (\\Recent \\Seen))\r\nj OK fetch done\r\n");
  r = send("k MOVE 1 Archive\r\n");
  // The UIDVALIDITY of Archive follows the time (store/mailbox.h).
  EXPECT_TRUE(std::regex_match(
      r,
      std::regex("\\* OK \\[COPYUID [0-9]+ 1 1\\] moved\r\n\\* 1 EXPUNGE\r\nk OK move done\r\n")))
      << r;
  EXPECT_EQ(send("l NOOP\r\n"), "l OK noop done\r\n");
}

// Text keys: 3+ characters through the trigram index, shorter ones by a scan
// of the stored text; both case-insensitive on decoded text (RFC 9051 §6.4.4).
TEST_F(ImapSessionTest, SearchIndexAndShortNeedles) {
  login();
  std::string m1 =
      "From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\nSubject: =?utf-8?b?w4RwZmVs?=\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
      "\r\nx =C3=BC y Stra=C3=9Fe\r\n";
  std::string m2 = "From: bo@example.org\r\nSubject: ab\r\nX-Tag: Q\r\n\r\nplain words\r\n";
  for (const auto& m : {m1, m2}) {
    send("a APPEND INBOX {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n");
  }
  send("b SELECT INBOX\r\n");
  auto search = [&](std::string_view key) {
    std::string r = send("s SEARCH CHARSET UTF-8 " + std::string(key) + "\r\n");
    EXPECT_NE(r.find("s OK search done"), std::string::npos) << r;
    return r.substr(0, r.find("\r\n"));
  };
  EXPECT_EQ(search("BODY STRASSE"), "* SEARCH");  // no folding of ß to ss
  EXPECT_EQ(search("BODY {7+}\r\nSTRA\xc3\x9f"
                   "E"),
            "* SEARCH 1");                                      // index, folded
  EXPECT_EQ(search("BODY {2+}\r\n\xc3\x9c"), "* SEARCH 1");     // 1 character: scan, folded
  EXPECT_EQ(search("SUBJECT {2+}\r\n\xc3\xa4"), "* SEARCH 1");  // RFC 2047 "Äpfel"
  EXPECT_EQ(search("SUBJECT AB"), "* SEARCH 2");                // 2 characters: scan
  EXPECT_EQ(search("SUBJECT PFE"), "* SEARCH 1");               // index
  EXPECT_EQ(search("FROM {3+}\r\nJ\xc3\xb6"), "* SEARCH 1");
  EXPECT_EQ(search("HEADER X-Tag q"), "* SEARCH 2");
  EXPECT_EQ(search("HEADER X-Tag \"\""), "* SEARCH 2");     // field present
  EXPECT_EQ(search("HEADER Subject example"), "* SEARCH");  // in From, not Subject
  EXPECT_EQ(search("TEXT example"), "* SEARCH 1 2");
  EXPECT_EQ(search("TEXT wo"), "* SEARCH 2");
  EXPECT_EQ(search("NOT BODY y"), "* SEARCH 2");
  EXPECT_EQ(search("OR BODY plain SUBJECT pfel"), "* SEARCH 1 2");
}

// mox-imapd(8) "Capabilities": IMAPCapabilitiesDisabled applies after login
// only.
TEST_F(ImapSessionTest, CapabilitiesDisabled) {
  backend_->disabled = {"condstore", "UTF8=ACCEPT", "APPENDLIMIT"};
  EXPECT_NE(greeting_.find(" CONDSTORE "), std::string::npos);
  session_->tls_started(tls_on(""));
  std::string r = send("a LOGIN mjl@example.com password1234\r\n");
  EXPECT_EQ(r.find("CONDSTORE"), std::string::npos) << r;
  EXPECT_EQ(r.find("UTF8=ACCEPT"), std::string::npos) << r;
  EXPECT_EQ(r.find("APPENDLIMIT"), std::string::npos) << r;
  EXPECT_EQ(r.find("QRESYNC"), std::string::npos) << r;  // implies CONDSTORE (RFC 7162 §3.2.3)
  EXPECT_NE(r.find(" MOVE "), std::string::npos) << r;
  EXPECT_EQ(send("b ENABLE CONDSTORE UTF8=ACCEPT QRESYNC\r\n"),
            "* ENABLED\r\nb OK enable done\r\n");
  EXPECT_EQ(send("c SELECT INBOX (CONDSTORE)\r\n"), "c BAD CONDSTORE is disabled\r\n");
}

TEST_F(ImapSessionTest, IdleAndAccountGone) {
  login();
  send("a SELECT INBOX\r\n");
  EXPECT_EQ(send("b IDLE\r\n"), "+ idling\r\n");
  EXPECT_TRUE(last_.idle);
  EXPECT_EQ(send("DONE\r\n"), "b OK idle done\r\n");
  backend_->gone = "account removed";
  EXPECT_EQ(send("c NOOP\r\n"), "* BYE account removed\r\n");
  EXPECT_TRUE(last_.close);
}

TEST_F(ImapSessionTest, QresyncVanished) {
  login();
  EXPECT_EQ(send("a ENABLE QRESYNC\r\n"), "* ENABLED QRESYNC\r\na OK enable done\r\n");
  send("b APPEND INBOX {1+}\r\nx\r\n");
  send("c APPEND INBOX {1+}\r\ny\r\n");
  std::string r = send("d SELECT INBOX\r\n");
  ASSERT_NE(r.find("HIGHESTMODSEQ"), std::string::npos);
  send("e STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(send("f EXPUNGE\r\n"), "* VANISHED 1\r\nf OK expunge done\r\n");
  r = send("g UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n");
  EXPECT_EQ(r.substr(0, 24), "* VANISHED (EARLIER) 1\r\n") << r;
}

// Another session on the account of the test's, logged in.
std::unique_ptr<Session> other_session(const Settings& s, Backend& b) {
  auto o = std::make_unique<Session>(s, b);
  o->greeting();
  o->tls_started(tls_on(""));
  o->feed("o1 LOGIN mjl@example.com password1234\r\n");
  return o;
}

// A message expunged by another session while still in this session's view
// (no EXPUNGE sent yet): NIL data and NO [EXPUNGEISSUED] (RFC 9051 §7.1),
// never an empty literal the client would keep as the message.
TEST_F(ImapSessionTest, FetchOfMessageExpungedElsewhere) {
  login();
  send("a APPEND INBOX {3+}\r\nabc\r\n");
  send("b APPEND INBOX {3+}\r\ndef\r\n");
  send("c SELECT INBOX\r\n");
  auto o = other_session(settings_, *backend_);
  std::string r =
      o->feed("o2 SELECT INBOX\r\no3 STORE 1 +FLAGS.SILENT (\\Deleted)\r\no4 EXPUNGE\r\n").reply;
  ASSERT_NE(r.find("* 1 EXPUNGE\r\no4 OK"), std::string::npos) << r;
  EXPECT_EQ(send("d FETCH 1:2 (RFC822.SIZE BODY.PEEK[] BINARY.PEEK[1])\r\n"),
            "* 1 FETCH (RFC822.SIZE 3 BODY[] NIL BINARY[1] NIL)\r\n"
            "* 2 FETCH (RFC822.SIZE 3 BODY[] {3}\r\ndef BINARY[1] {0}\r\n)\r\n"
            "d NO [EXPUNGEISSUED] some of the requested messages no longer exist\r\n");
  EXPECT_EQ(send("e NOOP\r\n"), "* 1 EXPUNGE\r\ne OK noop done\r\n");
  EXPECT_EQ(send("f FETCH 1 BODY.PEEK[]\r\n"),
            "* 1 FETCH (BODY[] {3}\r\ndef)\r\nf OK fetch done\r\n");
}

// RFC 3516 §4.4: a part with NUL octets, appended as literal8, is stored as
// base64: BODY[1] never sends NUL, BINARY[1] gives the octets back (in a
// literal8, RFC 3516 §4.3).
TEST_F(ImapSessionTest, AppendBinaryLiteral) {
  login();
  std::string content("\0-\xe4\r\n", 5);
  std::string msg =
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
      content;
  std::string r = send("a APPEND INBOX ~{" + std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n");
  ASSERT_NE(r.find("a OK [APPENDUID"), std::string::npos) << r;
  send("b SELECT INBOX\r\n");
  r = send("c FETCH 1 (BODY.PEEK[] BODY.PEEK[1])\r\n");
  EXPECT_EQ(r.find('\0'), std::string::npos) << r;
  EXPECT_NE(r.find("Content-Transfer-Encoding: base64\r\n\r\nAC3kDQo=\r\n"), std::string::npos)
      << r;
  EXPECT_EQ(
      send("d FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])\r\n"),
      "* 1 FETCH (BINARY.SIZE[1] 5 BINARY[1] ~{5}\r\n" + content + ")\r\nd OK fetch done\r\n");
}

// RFC 7162 §3.1: FETCH MODSEQ enables CONDSTORE (HIGHESTMODSEQ once, then
// MODSEQ in every flag change); SEARCH MODSEQ reports the highest
// mod-sequence of the messages returned (§3.1.5).
TEST_F(ImapSessionTest, CondstoreEnabledByFetchModseq) {
  login();
  for (const char* t : {"a1", "a2", "a3"}) send(std::string(t) + " APPEND INBOX {1+}\r\nx\r\n");
  send("b SELECT INBOX\r\n");
  std::string r = send("c FETCH 1 MODSEQ\r\n");
  EXPECT_TRUE(std::regex_match(r, std::regex("\\* OK \\[HIGHESTMODSEQ [0-9]+\\] x\r\n"
                                             "\\* 1 FETCH \\(MODSEQ \\([0-9]+\\)\\)\r\n"
                                             "c OK fetch done\r\n")))
      << r;
  EXPECT_EQ(send("d FETCH 1 MODSEQ\r\n").find("HIGHESTMODSEQ"), std::string::npos);
  std::smatch m;
  std::regex modseq("MODSEQ \\(([0-9]+)\\)");
  std::string r2 = send("e STORE 2 +FLAGS (\\Seen)\r\n");
  ASSERT_TRUE(std::regex_search(r2, m, modseq)) << r2;
  std::string ms2 = m[1];
  EXPECT_EQ(r2.find("* 2 FETCH (UID 2 FLAGS (\\Recent \\Seen) MODSEQ ("), 0u) << r2;
  std::string r1 = send("f STORE 1 +FLAGS (\\Seen)\r\n");
  ASSERT_TRUE(std::regex_search(r1, m, modseq)) << r1;
  std::string ms1 = m[1];
  r = send("g FETCH 3 BODY[]\r\n");  // sets \Seen: a flag change
  EXPECT_NE(r.find("FLAGS (\\Recent \\Seen) MODSEQ ("), std::string::npos) << r;
  EXPECT_EQ(send("h SEARCH RETURN (MAX) 1:2 MODSEQ \"/flags/\\\\seen\" all 1\r\n"),
            "* ESEARCH (TAG \"h\") MAX 2 MODSEQ " + ms2 + "\r\nh OK search done\r\n");
  EXPECT_EQ(send("i SEARCH RETURN (MIN MAX) 1:2 MODSEQ 1\r\n"),
            "* ESEARCH (TAG \"i\") MIN 1 MAX 2 MODSEQ " + ms1 + "\r\ni OK search done\r\n");
  // STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command too.
  auto o = other_session(settings_, *backend_);
  o->feed("o2 SELECT INBOX\r\n");
  r = o->feed("o3 STATUS Archive (HIGHESTMODSEQ)\r\n").reply;
  EXPECT_EQ(r.find("* OK [HIGHESTMODSEQ "), 0u) << r;
  EXPECT_NE(o->feed("o4 STORE 1 -FLAGS (\\Seen)\r\n").reply.find(" MODSEQ ("), std::string::npos);
}

// RFC 9051 §9: a message sequence number beyond EXISTS is invalid (BAD, as
// Dovecot answers); UIDs may name what is not there.
TEST_F(ImapSessionTest, SequenceNumbersBeyondExists) {
  login();
  for (const char* t : {"a1", "a2", "a3"}) send(std::string(t) + " APPEND INBOX {1+}\r\nx\r\n");
  send("b SELECT INBOX\r\n");
  EXPECT_EQ(send("c FETCH 99 FLAGS\r\n"), "c BAD Invalid messageset\r\n");
  EXPECT_EQ(send("d FETCH 2:4 FLAGS\r\n"), "d BAD Invalid messageset\r\n");
  EXPECT_EQ(send("e STORE 4 +FLAGS (\\Seen)\r\n"), "e BAD Invalid messageset\r\n");
  EXPECT_EQ(send("f COPY 1,5 Archive\r\n"), "f BAD Invalid messageset\r\n");
  EXPECT_EQ(send("g FETCH 0 FLAGS\r\n").substr(0, 6), "g BAD ");
  EXPECT_EQ(send("h UID FETCH 99 FLAGS\r\n"), "h OK fetch done\r\n");
  EXPECT_EQ(send("i FETCH 3:* UID\r\n"), "* 3 FETCH (UID 3)\r\ni OK fetch done\r\n");
}

// Keywords (RFC 9051 §7.3.5, §7.1 PERMANENTFLAGS): SELECT lists those of the
// mailbox; a new one is announced before the FETCH that carries it.
TEST_F(ImapSessionTest, KeywordsAnnouncedInFlags) {
  login();
  send("a APPEND INBOX (kw1) {1+}\r\nx\r\n");
  std::string r = send("b SELECT INBOX\r\n");
  EXPECT_NE(r.find("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded $Junk "
                   "$NotJunk $Phishing $MDNSent kw1)\r\n"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find("$MDNSent kw1 \\*)]"), std::string::npos) << r;
  r = send("c STORE 1 +FLAGS (kw2)\r\n");
  EXPECT_EQ(r.find("* FLAGS ("), 0u) << r;
  EXPECT_NE(r.find("kw1 kw2)\r\n* OK [PERMANENTFLAGS ("), std::string::npos) << r;
  EXPECT_LT(r.find("* OK [PERMANENTFLAGS"), r.find("* 1 FETCH")) << r;
  EXPECT_EQ(send("d STORE 1 -FLAGS (kw2)\r\n").find("* FLAGS"), std::string::npos);
  auto o = other_session(settings_, *backend_);
  o->feed("o2 SELECT INBOX\r\no3 STORE 1 +FLAGS.SILENT (kw3)\r\n");
  r = send("e NOOP\r\n");
  EXPECT_EQ(r.find("* FLAGS ("), 0u) << r;
  EXPECT_NE(r.find("kw1 kw2 kw3)"), std::string::npos) << r;
}

// \Recent (RFC 3501 §2.3.2, store/recent.h): recent in one session only, the
// first to SELECT after delivery or, with the mailbox selected, the first to
// learn of the message; EXAMINE and STATUS show without claiming; none with
// IMAP4rev2.
TEST_F(ImapSessionTest, RecentInOneSession) {
  login();
  send("a1 APPEND INBOX {1+}\r\nx\r\n");
  send("a2 APPEND INBOX {1+}\r\ny\r\n");
  EXPECT_EQ(send("b STATUS INBOX (RECENT)\r\n"),
            "* STATUS INBOX (RECENT 2)\r\nb OK status done\r\n");
  std::string r = send("c EXAMINE INBOX\r\n");
  EXPECT_NE(r.find("* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1] x\r\n"), std::string::npos) << r;
  send("d CLOSE\r\n");
  EXPECT_EQ(send("e STATUS INBOX (RECENT)\r\n"),
            "* STATUS INBOX (RECENT 2)\r\ne OK status done\r\n");
  r = send("f SELECT INBOX\r\n");
  EXPECT_NE(r.find("* 2 RECENT\r\n"), std::string::npos) << r;
  EXPECT_EQ(send("g FETCH 1 FLAGS\r\n"), "* 1 FETCH (FLAGS (\\Recent))\r\ng OK fetch done\r\n");
  EXPECT_EQ(send("h STATUS INBOX (RECENT)\r\n"),
            "* STATUS INBOX (RECENT 0)\r\nh OK status done\r\n");
  auto o = other_session(settings_, *backend_);
  r = o->feed("o2 SELECT INBOX\r\n").reply;
  EXPECT_NE(r.find("* 0 RECENT\r\n"), std::string::npos) << r;
  // A message that arrives while both have INBOX selected: recent for the
  // first to learn of it.
  r = send("i APPEND INBOX {1+}\r\nz\r\n");
  EXPECT_NE(r.find("* 3 EXISTS\r\n* 3 RECENT\r\n"), std::string::npos) << r;
  r = o->feed("o3 NOOP\r\n").reply;
  EXPECT_EQ(r, "* 3 EXISTS\r\n* 0 RECENT\r\no3 OK noop done\r\n");
  EXPECT_EQ(send("j SEARCH RECENT\r\n"), "* SEARCH 1 2 3\r\nj OK search done\r\n");
  send("k STORE 2 +FLAGS.SILENT (\\Seen)\r\n");
  EXPECT_EQ(send("l SEARCH NEW\r\n"), "* SEARCH 1 3\r\nl OK search done\r\n");
  EXPECT_EQ(send("m SEARCH OLD\r\n"), "* SEARCH\r\nm OK search done\r\n");
  r = o->feed("o4 SEARCH OLD\r\n").reply;
  EXPECT_NE(r.find("* SEARCH 1 2 3\r\no4 OK search done\r\n"), std::string::npos) << r;
  // IMAP4rev2 has no \Recent.
  auto rev2 = std::make_unique<Session>(settings_, *backend_);
  rev2->greeting();
  rev2->tls_started(tls_on(""));
  rev2->feed("r1 LOGIN mjl@example.com password1234\r\nr2 ENABLE IMAP4rev2\r\n");
  send("n APPEND Archive {1+}\r\nw\r\n");
  r = rev2->feed("r3 SELECT Archive\r\n").reply;
  EXPECT_EQ(r.find("RECENT"), std::string::npos) << r;
  EXPECT_EQ(send("o STATUS Archive (RECENT)\r\n"),
            "* STATUS Archive (RECENT 1)\r\no OK status done\r\n");
}

// COPY or MOVE into the selected mailbox: the new copy is announced.
TEST_F(ImapSessionTest, CopyAndMoveIntoSelectedMailbox) {
  login();
  send("a1 APPEND INBOX {1+}\r\nx\r\n");
  send("a2 APPEND INBOX {1+}\r\ny\r\n");
  send("b SELECT INBOX\r\n");
  std::string r = send("c COPY 1 INBOX\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* 3 EXISTS\r\n\\* 3 RECENT\r\nc OK \\[COPYUID [0-9]+ 1 3\\] copy done\r\n")))
      << r;
  r = send("d MOVE 1 INBOX\r\n");
  EXPECT_TRUE(std::regex_match(r, std::regex("\\* OK \\[COPYUID [0-9]+ 1 4\\] moved\r\n"
                                             "\\* 1 EXPUNGE\r\n\\* 3 EXISTS\r\n\\* 3 RECENT\r\n"
                                             "d OK move done\r\n")))
      << r;
}

TEST_F(ImapSessionTest, ListExtended) {
  login();
  send("a CREATE Foo/Bar\r\n");
  send("b SUBSCRIBE Foo/Bar\r\n");
  send("c SUBSCRIBE Gone\r\n");
  // Foo/Bar is listed itself, so Foo gets no CHILDINFO (tests/imapserver_mailbox_test.cc).
  std::string r = send("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"*\"\r\n");
  EXPECT_EQ(r.find("\" Foo "), std::string::npos) << r;
  EXPECT_NE(r.find("* LIST (\\HasNoChildren \\Subscribed) \"/\" Foo/Bar\r\n"), std::string::npos)
      << r;
  EXPECT_NE(r.find("* LIST (\\NonExistent \\HasNoChildren \\Subscribed) \"/\" Gone\r\n"),
            std::string::npos)
      << r;
  r = send("e LIST \"\" \"*\" RETURN (STATUS (MESSAGES))\r\n");
  EXPECT_NE(r.find("* STATUS Foo/Bar (MESSAGES 0)\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.find("Gone"), std::string::npos) << r;
}

TEST_F(ImapSessionTest, BadCommandsLimited) {
  std::string r;
  for (int i = 0; i < 20; ++i) r += send("x FOO\r\n");
  EXPECT_NE(r.find("* BYE too many syntax errors"), std::string::npos);
}

// The per-IP failure limit ends LOGIN as it ends AUTHENTICATE, before any
// password is checked.
TEST_F(ImapSessionTest, LoginRefusedOverLimit) {
  session_->tls_started(tls_on(""));
  backend_->allowed = false;
  EXPECT_EQ(send("a LOGIN mjl@example.com password1234\r\n"), "* BYE too many auth failures\r\n");
  EXPECT_TRUE(last_.close);
  EXPECT_TRUE(backend_->attempts.empty());
}

// A pattern of many wildcards over a long name answers at once (a
// backtracking matcher took seconds for 5 stars and never ended for 12).
TEST_F(ImapSessionTest, ListPatternsCannotExplode) {
  login();
  std::string name(200, 'a');
  ASSERT_EQ(send("a CREATE " + name + "\r\n"), "a OK create done\r\n");
  std::string pat;
  for (int i = 0; i < 40; ++i) pat += "*a";
  EXPECT_EQ(send("b LIST \"\" \"" + pat + "*b\"\r\n"), "b OK list done\r\n");
  EXPECT_NE(send("c LIST \"\" \"" + pat + "%\"\r\n").find("* LIST (\\HasNoChildren) \"/\" " + name),
            std::string::npos);
  std::string lit = std::string(1100, '*');
  EXPECT_EQ(send("d LIST \"\" {1100+}\r\n" + lit + "\r\n"), "d NO [LIMIT] pattern too long\r\n");
  EXPECT_EQ(send("e LSUB \"\" {1100+}\r\n" + lit + "\r\n"), "e NO [LIMIT] pattern too long\r\n");
}

// One SEARCH is bounded: in keys, in time, and by the client's presence.
TEST_F(ImapSessionTest, SearchCostBounded) {
  login();
  send("a APPEND INBOX {17+}\r\nSubject: x\r\n\r\nabc\r\n");
  send("b SELECT INBOX\r\n");
  std::string keys;
  for (int i = 0; i < 51; ++i) keys += " BODY e";
  EXPECT_EQ(send("c SEARCH" + keys + "\r\n"), "c NO [LIMIT] too many search keys\r\n");
  EXPECT_EQ(send("d SEARCH BODY abc\r\n"), "* SEARCH 1\r\nd OK search done\r\n");
  Settings s = settings_;
  s.command_budget = std::chrono::milliseconds(0);
  restart(s);
  send("e SELECT INBOX\r\n");
  EXPECT_EQ(send("f SEARCH BODY abc\r\n"), "f NO [LIMIT] search took too long, narrow it down\r\n");
  restart(settings_);
  send("g SELECT INBOX\r\n");
  backend_->closed = true;
  EXPECT_EQ(send("h SEARCH BODY abc\r\n"), "");
  EXPECT_TRUE(last_.close);
}

// RENAME INBOX moves every message into the new mailbox, in order, with new
// UIDs, and leaves INBOX empty (RFC 9051 §6.3.6); a store failure never
// shows its SQLite text.
TEST_F(ImapSessionTest, RenameInboxWithMessages) {
  login();
  for (const char* m : {"1", "2", "3"}) send(std::string("a APPEND INBOX {1+}\r\n") + m + "\r\n");
  EXPECT_EQ(send("b RENAME INBOX Old\r\n"), "b OK rename done\r\n");
  EXPECT_NE(send("c STATUS INBOX (MESSAGES)\r\n").find("(MESSAGES 0)"), std::string::npos);
  send("d SELECT Old\r\n");
  std::string r = send("e UID FETCH 1:* BODY[]\r\n");
  EXPECT_NE(r.find("* 1 FETCH (UID 1 BODY[] {1}\r\n1)"), std::string::npos) << r;
  EXPECT_NE(r.find("* 3 FETCH (UID 3 BODY[] {1}\r\n3)"), std::string::npos) << r;
  EXPECT_EQ(r.find("sqlite"), std::string::npos) << r;
  send("f APPEND INBOX {1+}\r\n4\r\n");
  EXPECT_EQ(send("g RENAME INBOX Old\r\n"), "g NO destination mailbox already exists\r\n");
  EXPECT_TRUE(backend_->logged.empty());
}

// A FETCH larger than one reply part goes out in parts (Output::more, then
// resume()); the commands pipelined behind it run after its last part, and
// the parts together are the whole answer.
TEST_F(ImapSessionTest, LargeFetchInParts) {
  login();
  std::string body(100 * 1024, 'b');
  std::string msg = "Subject: big\r\n\r\n" + body + "\r\n";
  for (int i = 0; i < 8; ++i) {
    send("a APPEND INBOX {" + std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n");
  }
  send("b SELECT INBOX\r\n");
  std::string all = send("c FETCH 1:* BODY.PEEK[]\r\nd NOOP\r\n");
  int parts = 1;
  EXPECT_TRUE(last_.more);
  EXPECT_LE(all.size(), Session::kReplyChunk + msg.size() + 100);
  while (last_.more) {
    last_ = session_->resume();
    EXPECT_LE(last_.reply.size(), Session::kReplyChunk + msg.size() + 100);
    all += last_.reply;
    ++parts;
  }
  EXPECT_GE(parts, 3);
  for (int i = 1; i <= 8; ++i) {
    EXPECT_NE(all.find("* " + std::to_string(i) + " FETCH (BODY[] {" + std::to_string(msg.size()) +
                       "}\r\n" + msg + ")\r\n"),
              std::string::npos)
        << i;
  }
  size_t done = all.find("c OK fetch done\r\n");
  ASSERT_NE(done, std::string::npos);
  EXPECT_NE(all.find("d OK noop done\r\n", done), std::string::npos);
  // Input that arrives while parts are pending waits for them.
  send("e FETCH 1:* BODY.PEEK[]\r\n");
  EXPECT_TRUE(last_.more);
  EXPECT_EQ(send("f NOOP\r\n"), "");
  std::string rest;
  while (last_.more) rest += (last_ = session_->resume()).reply;
  EXPECT_NE(rest.find("e OK fetch done\r\nf OK noop done\r\n"), std::string::npos);
}

// RFC 9208: one quota root "" per account with a limit, STORAGE in KiB.
TEST_F(ImapSessionTest, QuotaRootsAndUsage) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" QUOTA QUOTA=RES-STORAGE"), std::string::npos);
  // No limit: no quota root.
  EXPECT_EQ(send("b GETQUOTAROOT INBOX\r\n"), "* QUOTAROOT INBOX\r\nb OK getquotaroot done\r\n");
  EXPECT_EQ(send("c GETQUOTA \"\"\r\n"), "c NO [NONEXISTENT] no such quota root\r\n");
  backend_->quota = 10 * 1024;
  std::string msg = "Subject: q\r\n\r\n" + std::string(1500, 'x') + "\r\n";
  send("d APPEND INBOX {" + std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n");
  EXPECT_EQ(send("e GETQUOTAROOT inbox\r\n"),
            "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 2 10)\r\ne OK getquotaroot done\r\n");
  EXPECT_EQ(
      send("f GETQUOTAROOT Archive\r\n"),
      "* QUOTAROOT Archive \"\"\r\n* QUOTA \"\" (STORAGE 2 10)\r\nf OK getquotaroot done\r\n");
  EXPECT_EQ(send("g GETQUOTA \"\"\r\n"), "* QUOTA \"\" (STORAGE 2 10)\r\ng OK getquota done\r\n");
  EXPECT_EQ(send("h GETQUOTA other\r\n"), "h NO [NONEXISTENT] no such quota root\r\n");
  EXPECT_EQ(send("i GETQUOTAROOT Nope\r\n"), "i NO [NONEXISTENT] mailbox does not exist\r\n");
  // Users do not set their own quota (no QUOTASET).
  EXPECT_EQ(send("j SETQUOTA \"\" (STORAGE 100000)\r\n"),
            "j NO [NOPERM] quota is set by the administrator\r\n");
  EXPECT_EQ(send("k GETQUOTA\r\n").substr(0, 6), "k BAD ");
}

// APPEND, COPY and MULTIAPPEND over the quota: NO [OVERQUOTA] and nothing
// added; MOVE adds nothing; EXPUNGE makes room (RFC 9208 §4.3, RFC 5530 §3).
TEST_F(ImapSessionTest, OverQuotaRefusesAppendAndCopy) {
  login();
  std::string msg = "Subject: q\r\n\r\n" + std::string(1000, 'x') + "\r\n";  // 1016 octets
  std::string lit = "{" + std::to_string(msg.size()) + "+}\r\n" + msg;
  backend_->quota = 3 * static_cast<int64_t>(msg.size());
  for (const char* t : {"a1", "a2"}) {
    EXPECT_NE(send(std::string(t) + " APPEND INBOX " + lit + "\r\n").find(" OK [APPENDUID"),
              std::string::npos);
  }
  // Two at once when one fits: all or none (RFC 3502).
  std::string r = send("b APPEND INBOX " + lit + " " + lit + "\r\n");
  EXPECT_EQ(r.substr(0, 16), "b NO [OVERQUOTA]") << r;
  EXPECT_NE(send("c STATUS INBOX (MESSAGES)\r\n").find("(MESSAGES 2)"), std::string::npos);
  EXPECT_NE(send("d APPEND INBOX " + lit + "\r\n").find("d OK [APPENDUID"), std::string::npos);
  r = send("e APPEND INBOX " + lit + "\r\n");
  EXPECT_EQ(r.substr(0, 16), "e NO [OVERQUOTA]") << r;
  send("f SELECT INBOX\r\n");
  EXPECT_EQ(send("g COPY 1 Archive\r\n").substr(0, 16), "g NO [OVERQUOTA]");
  r = send("h MOVE 1 Archive\r\n");
  EXPECT_TRUE(std::regex_match(
      r,
      std::regex("\\* OK \\[COPYUID [0-9]+ 1 1\\] moved\r\n\\* 1 EXPUNGE\r\nh OK move done\r\n")))
      << r;
  send("i STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(send("j STATUS INBOX (DELETED DELETED-STORAGE)\r\n"),
            "* STATUS INBOX (DELETED 1 DELETED-STORAGE 1)\r\nj OK status done\r\n");
  EXPECT_EQ(send("k EXPUNGE\r\n"), "* 1 EXPUNGE\r\nk OK expunge done\r\n");
  EXPECT_NE(send("l APPEND INBOX " + lit + "\r\n").find("l OK [APPENDUID"), std::string::npos);
  EXPECT_TRUE(backend_->logged.empty());  // the user's limit is not a server error
}

TEST_F(ImapSessionTest, QuotaDisabledByAccount) {
  backend_->disabled = {"QUOTA"};
  login();
  EXPECT_EQ(send("a CAPABILITY\r\n").find("QUOTA"), std::string::npos);
  EXPECT_EQ(send("b GETQUOTAROOT INBOX\r\n"), "b BAD QUOTA is disabled\r\n");
}

// A message with `subject`, APPENDed with LITERAL+ in one command line.
std::string append_cmd(const std::string& tag, const std::string& box, const std::string& flags,
                       const std::string& subject) {
  std::string msg = "From: a@b.example\r\nSubject: " + subject + "\r\n\r\nsome body\r\n";
  return tag + " APPEND " + box + (flags.empty() ? "" : " (" + flags + ")") + " {" +
         std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n";
}

// CONTEXT=SEARCH (RFC 5267 §4): ADDTO/REMOVEFROM for the session's own
// STORE, EXPUNGE and APPEND, REMOVEFROM before each EXPUNGE, CANCELUPDATE,
// NOUPDATE.
TEST_F(ImapSessionTest, SearchContextUpdate) {
  login();
  for (int i = 1; i <= 4; ++i) send(append_cmd("p", "INBOX", "", "m" + std::to_string(i)));
  send("s SELECT INBOX\r\n");
  EXPECT_EQ(send("a SEARCH RETURN (UPDATE) SEEN\r\n"),
            "* ESEARCH (TAG \"a\")\r\na OK search done\r\n");
  EXPECT_EQ(send("b STORE 1,2,4 +FLAGS.SILENT (\\Seen)\r\n"),
            "* ESEARCH (TAG \"a\") ADDTO (0 1:2,4)\r\nb OK store done\r\n");
  EXPECT_EQ(send("c STORE 1 -FLAGS.SILENT (\\Seen)\r\n"),
            "* ESEARCH (TAG \"a\") REMOVEFROM (0 1)\r\nc OK store done\r\n");
  EXPECT_EQ(send("d STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n"), "d OK store done\r\n");
  // Message 2 is number 1 once message 1 is gone.
  EXPECT_EQ(send("e EXPUNGE\r\n"),
            "* 1 EXPUNGE\r\n* ESEARCH (TAG \"a\") REMOVEFROM (0 1)\r\n* 1 EXPUNGE\r\n"
            "e OK expunge done\r\n");
  std::string r = send(append_cmd("f", "INBOX", "\\Seen", "m5"));
  EXPECT_NE(
      r.find("* 3 EXISTS\r\n* 3 RECENT\r\n* ESEARCH (TAG \"a\") ADDTO (0 3)\r\nf OK [APPENDUID"),
      std::string::npos)
      << r;
  EXPECT_EQ(send("g UID SEARCH RETURN (UPDATE COUNT) UNSEEN\r\n"),
            "* ESEARCH (TAG \"g\") UID COUNT 1\r\ng OK search done\r\n");
  EXPECT_EQ(send("h STORE 1 +FLAGS.SILENT (\\Seen)\r\n"),
            "* ESEARCH (TAG \"a\") ADDTO (0 1)\r\n* ESEARCH (TAG \"g\") UID REMOVEFROM (0 3)\r\n"
            "h OK store done\r\n");
  EXPECT_EQ(send("i CANCELUPDATE \"a\" \"g\"\r\n"), "i OK cancelupdate done\r\n");
  EXPECT_EQ(send("j STORE 1 -FLAGS.SILENT (\\Seen)\r\n"), "j OK store done\r\n");
  EXPECT_EQ(send("k CANCELUPDATE a\r\n"), "k BAD no search result kept for tag a\r\n");
  // Sequence numbers move on expunge, and a window of the result is not
  // kept: the result comes, without updates.
  EXPECT_EQ(send("l SEARCH RETURN (UPDATE) 1:2\r\n"),
            "* ESEARCH (TAG \"l\")\r\nl OK [NOUPDATE \"l\"] search done\r\n");
  EXPECT_EQ(send("m SEARCH RETURN (UPDATE PARTIAL 1:1) ALL\r\n"),
            "* ESEARCH (TAG \"m\") PARTIAL (1:1 1)\r\nm OK [NOUPDATE \"m\"] search done\r\n");
  EXPECT_EQ(send("n STORE 2 -FLAGS.SILENT (\\Seen)\r\n"), "n OK store done\r\n");
  // Closing the mailbox ends the results.
  send("o SEARCH RETURN (UPDATE) SEEN\r\n");
  send("p UNSELECT\r\n");
  send("q SELECT INBOX\r\n");
  EXPECT_EQ(send("r CANCELUPDATE o\r\n"), "r BAD no search result kept for tag o\r\n");
}

// Another session's flag changes, deliveries and expunges reach a kept
// result through poll_updates (IDLE), with text keys read per message.
TEST_F(ImapSessionTest, SearchContextUpdateFromOtherSession) {
  login();
  send(append_cmd("p", "INBOX", "", "hello one"));
  send("s SELECT INBOX\r\n");
  EXPECT_EQ(send("a UID SEARCH RETURN (UPDATE ALL) FLAGGED SUBJECT hello\r\n"),
            "* ESEARCH (TAG \"a\") UID\r\na OK search done\r\n");
  Session other(settings_, *backend_);
  other.greeting();
  other.tls_started(tls_on(""));
  other.feed("x LOGIN mjl@example.com password1234\r\ny SELECT INBOX\r\n");
  other.feed("z STORE 1 +FLAGS.SILENT (\\Flagged)\r\n");
  other.feed(append_cmd("w", "INBOX", "\\Flagged", "hello two"));
  other.feed(append_cmd("v", "INBOX", "\\Flagged", "other subject"));
  std::string r = session_->poll_updates().reply;
  EXPECT_EQ(r,
            "* 1 FETCH (UID 1 FLAGS (\\Recent \\Flagged))\r\n* 3 EXISTS\r\n* 1 RECENT\r\n"
            "* ESEARCH (TAG \"a\") UID ADDTO (0 1:2)\r\n");
  other.feed("u STORE 1 +FLAGS.SILENT (\\Deleted)\r\nt EXPUNGE\r\n");
  r = session_->poll_updates().reply;
  EXPECT_EQ(r, "* ESEARCH (TAG \"a\") UID REMOVEFROM (0 1)\r\n* 1 EXPUNGE\r\n");
}

// PARTIAL (RFC 9394 §3.1): positions from the start or from the end, the
// range as asked (ordered), NIL past the end.
TEST_F(ImapSessionTest, SearchPartial) {
  login();
  for (int i = 1; i <= 5; ++i) send(append_cmd("p", "INBOX", "", "m" + std::to_string(i)));
  send("s SELECT INBOX\r\n");
  EXPECT_EQ(send("a SEARCH RETURN (PARTIAL 3:2) ALL\r\n"),
            "* ESEARCH (TAG \"a\") PARTIAL (2:3 2:3)\r\na OK search done\r\n");
  EXPECT_EQ(send("b SEARCH RETURN (PARTIAL -1:-2) ALL\r\n"),
            "* ESEARCH (TAG \"b\") PARTIAL (-1:-2 4:5)\r\nb OK search done\r\n");
  EXPECT_EQ(send("c SEARCH RETURN (COUNT PARTIAL 6:9) ALL\r\n"),
            "* ESEARCH (TAG \"c\") COUNT 5 PARTIAL (6:9 NIL)\r\nc OK search done\r\n");
  EXPECT_EQ(send("d UID SEARCH RETURN (PARTIAL -3:-10) NOT 2\r\n"),
            "* ESEARCH (TAG \"d\") UID PARTIAL (-3:-10 1,3)\r\nd OK search done\r\n");
  EXPECT_EQ(send("e SEARCH RETURN (PARTIAL 1:3) 1:2,4:5\r\n"),
            "* ESEARCH (TAG \"e\") PARTIAL (1:3 1:2,4)\r\ne OK search done\r\n");
  EXPECT_EQ(send("f SEARCH RETURN (PARTIAL 1:*) ALL\r\n").substr(0, 6), "f BAD ");
}

// MULTISEARCH (RFC 7377): ESEARCH over mailboxes, UIDs always, MAILBOX and
// UIDVALIDITY with IN, no response for a mailbox without matches.
TEST_F(ImapSessionTest, Multisearch) {
  login();
  send("c CREATE Work\r\nc CREATE Work/Deep\r\nc CREATE Work/Deep/Deeper\r\n");
  send(append_cmd("p", "INBOX", "", "hello inbox"));
  send(append_cmd("p", "INBOX", "", "other"));
  send(append_cmd("p", "Work", "", "nothing"));
  send(append_cmd("p", "Work", "", "hello work"));
  send(append_cmd("p", "Work/Deep", "", "hello deep"));
  send(append_cmd("p", "Work/Deep/Deeper", "", "nothing"));
  std::string r = send("a ESEARCH IN (personal) SUBJECT hello\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* ESEARCH \\(TAG \"a\" MAILBOX INBOX UIDVALIDITY [0-9]+\\) UID ALL 1\r\n"
                    "\\* ESEARCH \\(TAG \"a\" MAILBOX Work UIDVALIDITY [0-9]+\\) UID ALL 2\r\n"
                    "\\* ESEARCH \\(TAG \"a\" MAILBOX Work/Deep UIDVALIDITY [0-9]+\\) UID ALL 1\r\n"
                    "a OK esearch done\r\n")))
      << r;
  r = send("b ESEARCH IN (subtree-one Work) RETURN (COUNT) ALL\r\n");
  EXPECT_NE(r.find("MAILBOX Work UIDVALIDITY"), std::string::npos) << r;
  EXPECT_NE(r.find("MAILBOX Work/Deep UIDVALIDITY"), std::string::npos) << r;
  EXPECT_EQ(r.find("Work/Deep/Deeper"), std::string::npos) << r;
  EXPECT_EQ(send("d ESEARCH ALL\r\n"), "d BAD no mailbox selected\r\n");
  EXPECT_EQ(send("e ESEARCH IN (personal) RETURN (SAVE) ALL\r\n"),
            "e BAD ESEARCH takes neither SAVE, UPDATE nor $\r\n");
  send("f SELECT INBOX\r\n");
  EXPECT_EQ(send("g ESEARCH RETURN (COUNT MAX) ALL\r\n"),
            "* ESEARCH (TAG \"g\") UID MAX 2 COUNT 2\r\ng OK esearch done\r\n");
  r = send("h ESEARCH IN (selected inboxes mailboxes nonexistent) RETURN (MIN) ALL\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* ESEARCH \\(TAG \"h\" MAILBOX INBOX UIDVALIDITY [0-9]+\\) UID MIN 1\r\n"
                    "h OK esearch done\r\n")))
      << r;
  r = send("i CAPABILITY\r\n");
  EXPECT_NE(r.find(" CONTEXT=SEARCH PARTIAL MULTISEARCH"), std::string::npos) << r;
}

// COMPRESS (RFC 4978, lib/imapserver/notify_cmd.cc): the OK asks the driver
// to compress; a second COMPRESS is NO [COMPRESSIONACTIVE]; input pipelined
// behind it ends the session.
TEST_F(ImapSessionTest, Compress) {
  EXPECT_EQ(send("a COMPRESS DEFLATE\r\n"), "a BAD not allowed in this connection state\r\n");
  login();
  EXPECT_NE(send("b CAPABILITY\r\n").find(" COMPRESS=DEFLATE NOTIFY"), std::string::npos);
  EXPECT_EQ(send("c COMPRESS GZIP\r\n"), "c BAD unknown compression mechanism\r\n");
  EXPECT_EQ(send("d COMPRESS DEFLATE\r\n"), "d OK deflate active\r\n");
  EXPECT_TRUE(last_.compress);
  EXPECT_EQ(send("e COMPRESS DEFLATE\r\n"),
            "e NO [COMPRESSIONACTIVE] compression already active\r\n");
  EXPECT_FALSE(last_.compress);
  restart(settings_);
  EXPECT_EQ(send("f COMPRESS DEFLATE\r\ng NOOP\r\n"),
            "f OK deflate active\r\n* BYE pipelined input after COMPRESS not allowed\r\n");
  EXPECT_TRUE(last_.close);
  EXPECT_FALSE(last_.compress);
}

std::string append_cmd(const std::string& mailbox) {
  std::string m = "Subject: hi\r\n\r\nhello\r\n";
  return "y APPEND " + mailbox + " {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n";
}

// NOTIFY (RFC 5465): STATUS for other mailboxes, LIST for names and
// subscriptions, BADEVENT and the rules of the event groups.
TEST_F(ImapSessionTest, NotifyOtherMailboxes) {
  login();
  send("a CREATE Other\r\n");
  std::string r = send("b NOTIFY SET STATUS (mailboxes Other (MessageNew MessageExpunge))\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* STATUS Other \\(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \\d+\\)\r\n"
                    "b OK notify done\r\n")))
      << r;
  EXPECT_TRUE(session_->notifying());
  auto other = other_session(settings_, *backend_);
  other->feed(append_cmd("Other"));
  other->feed(append_cmd("INBOX"));  // not asked for
  r = session_->poll_updates().reply;
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* STATUS Other \\(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \\d+\\)\r\n")))
      << r;
  EXPECT_EQ(session_->poll_updates().reply, "");  // reported once
  other->feed("z SELECT Other\r\n");
  other->feed("z STORE 1 +FLAGS (\\Deleted)\r\n");
  EXPECT_EQ(session_->poll_updates().reply, "");  // FlagChange not asked for
  other->feed("z EXPUNGE\r\n");
  EXPECT_EQ(session_->poll_updates().reply, "* STATUS Other (MESSAGES 0)\r\n");

  EXPECT_EQ(send("c NOTIFY SET (personal (MailboxName SubscriptionChange))\r\n"),
            "c OK notify done\r\n");
  other->feed("z CREATE New\r\n");
  other->feed("z UNSUBSCRIBE New\r\n");
  r = session_->poll_updates().reply;
  EXPECT_NE(r.find("* LIST () \"/\" New\r\n"), std::string::npos) << r;
  other->feed("z SUBSCRIBE New\r\n");
  EXPECT_EQ(session_->poll_updates().reply, "* LIST (\\Subscribed) \"/\" New\r\n");
  other->feed("z RENAME New Newer\r\n");
  r = session_->poll_updates().reply;
  EXPECT_NE(r.find("* LIST () \"/\" Newer (\"OLDNAME\" (New))\r\n"), std::string::npos) << r;
  other->feed("z DELETE Newer\r\n");
  r = session_->poll_updates().reply;
  EXPECT_NE(r.find("* LIST (\\NonExistent) \"/\" Newer\r\n"), std::string::npos) << r;

  EXPECT_EQ(send("d NOTIFY SET (personal (AnnotationChange MessageNew))\r\n"),
            "d NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)] "
            "event AnnotationChange is not supported\r\n");
  EXPECT_EQ(send("e NOTIFY SET (selected (MailboxName))\r\n"),
            "e BAD MailboxName is not a message event, for selected\r\n");
  EXPECT_EQ(send("f NOTIFY SET (personal (MessageNew (UID)))\r\n"),
            "f BAD MessageNew fetch attributes only for the selected mailbox\r\n");
  EXPECT_EQ(send("g NOTIFY SET (selected (MessageNew)) (selected-delayed (MessageNew))\r\n"),
            "g BAD selected may be given once\r\n");
  EXPECT_TRUE(session_->notifying());  // the refusals kept the last SET
  EXPECT_EQ(send("h NOTIFY NONE\r\n"), "h OK notify done\r\n");
  EXPECT_FALSE(session_->notifying());
}

// The selected mailbox under NOTIFY: "selected" sends EXISTS with
// MessageNew's fetch attributes, and expunges, outside commands;
// "selected-delayed" keeps expunges for the next command that allows them.
TEST_F(ImapSessionTest, NotifySelected) {
  login();
  send("a SELECT INBOX\r\n");
  EXPECT_EQ(send("b NOTIFY SET (selected (MessageNew (UID FLAGS) MessageExpunge FlagChange))\r\n"),
            "b OK notify done\r\n");
  auto other = other_session(settings_, *backend_);
  other->feed(append_cmd("INBOX"));
  EXPECT_EQ(session_->poll_updates().reply,
            "* 1 EXISTS\r\n* 1 RECENT\r\n* 1 FETCH (UID 1 FLAGS (\\Recent))\r\n");
  other->feed("z SELECT INBOX\r\n");
  other->feed("z STORE 1 +FLAGS (\\Deleted)\r\n");
  EXPECT_EQ(session_->poll_updates().reply, "* 1 FETCH (UID 1 FLAGS (\\Recent \\Deleted))\r\n");
  other->feed("z EXPUNGE\r\n");
  EXPECT_EQ(session_->poll_updates().reply, "* 1 EXPUNGE\r\n");

  EXPECT_EQ(send("c NOTIFY SET (selected-delayed (MessageNew MessageExpunge))\r\n"),
            "c OK notify done\r\n");
  other->feed(append_cmd("INBOX"));
  // The other session, selected, learnt of it first: not \Recent here.
  EXPECT_EQ(session_->poll_updates().reply, "* 1 EXISTS\r\n* 0 RECENT\r\n");
  other->feed("z STORE 1 +FLAGS (\\Deleted)\r\n");
  other->feed("z EXPUNGE\r\n");
  std::string r = session_->poll_updates().reply;
  EXPECT_EQ(r.find("EXPUNGE"), std::string::npos) << r;
  EXPECT_EQ(send("d NOOP\r\n"), "* 1 EXPUNGE\r\nd OK noop done\r\n");
}

// RFC 5465 §5.8: more changes at once than Settings::max_notifications is
// NOTIFICATIONOVERFLOW, and NOTIFY is off afterwards.
TEST_F(ImapSessionTest, NotifyOverflow) {
  Settings s = settings_;
  s.max_notifications = 2;
  restart(s);
  send("b CREATE Lists\r\n");
  EXPECT_EQ(send("a NOTIFY SET (subtree Lists (MailboxName))\r\n"), "a OK notify done\r\n");
  auto other = other_session(s, *backend_);
  other->feed("z CREATE Lists/a\r\n");
  other->feed("z CREATE Elsewhere\r\n");  // not in the subtree
  EXPECT_EQ(session_->poll_updates().reply, "* LIST () \"/\" Lists/a\r\n");
  for (const char* m : {"Lists/b", "Lists/c", "Lists/d"})
    other->feed("z CREATE " + std::string(m) + "\r\n");
  EXPECT_EQ(session_->poll_updates().reply,
            "* OK [NOTIFICATIONOVERFLOW] too many changes, notifications are off\r\n");
  EXPECT_FALSE(session_->notifying());
}

}  // namespace
}  // namespace mox::imapserver

namespace mox::imapserver {
namespace {

// SORT, ESORT and THREAD (RFC 5256, RFC 5267 §3, RFC 5957) over the keys the
// store kept at APPEND, with a search program, UID forms and charsets.
TEST_F(ImapSessionTest, SortAndThread) {
  login();
  const char* msgs[] = {
      "From: Zed <z@example.org>\r\nSubject: b\r\nDate: Thu, 01 Jan 2026 10:00:00 +0000\r\n"
      "Message-ID: <1@x>\r\n\r\none\r\n",
      "From: a@example.org\r\nSubject: Re: b\r\nDate: Thu, 01 Jan 2026 09:00:00 +0000\r\n"
      "Message-ID: <2@x>\r\nReferences: <1@x>\r\n\r\ntwo, longer\r\n",
      "From: m@example.org\r\nSubject: a\r\nMessage-ID: <3@x>\r\n\r\n3\r\n",
  };
  for (std::string m : msgs) {
    send("a APPEND INBOX (\\Seen) \"01-Jan-2026 11:00:00 +0000\" {" + std::to_string(m.size()) +
         "+}\r\n" + m + "\r\n");
  }
  send("b SELECT INBOX\r\n");
  EXPECT_EQ(send("c SORT (SUBJECT) UTF-8 ALL\r\n"), "* SORT 3 1 2\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c SORT (DATE) US-ASCII ALL\r\n"), "* SORT 2 1 3\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c SORT (REVERSE SIZE) UTF-8 ALL\r\n"), "* SORT 2 1 3\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c SORT (FROM) UTF-8 NOT FROM zed\r\n"), "* SORT 2 3\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c SORT (DISPLAYFROM) UTF-8 ALL\r\n"), "* SORT 2 3 1\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c UID SORT (ARRIVAL) UTF-8 UID 2:*\r\n"), "* SORT 2 3\r\nc OK sort done\r\n");
  EXPECT_EQ(send("c SORT (SUBJECT) UTF-8 SUBJECT nothing\r\n"), "* SORT\r\nc OK sort done\r\n");
  EXPECT_EQ(send("d SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL\r\n"),
            "* ESEARCH (TAG \"d\") MIN 3 MAX 2 ALL 3,1:2 COUNT 3\r\nd OK sort done\r\n");
  EXPECT_EQ(send("d UID SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL\r\n"),
            "* ESEARCH (TAG \"d\") UID ALL 1:3\r\nd OK sort done\r\n");
  EXPECT_EQ(send("d SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT nothing\r\n"),
            "* ESEARCH (TAG \"d\") COUNT 0\r\nd OK sort done\r\n");
  EXPECT_EQ(send("e SORT (DATE) KOI8-R ALL\r\n"),
            "e NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset\r\n");
  EXPECT_EQ(send("f THREAD REFERENCES UTF-8 ALL\r\n"), "* THREAD (1 2)(3)\r\nf OK thread done\r\n");
  EXPECT_EQ(send("f UID THREAD ORDEREDSUBJECT UTF-8 ALL\r\n"),
            "* THREAD (2 1)(3)\r\nf OK thread done\r\n");
  EXPECT_EQ(send("f THREAD REFERENCES UTF-8 SUBJECT nothing\r\n"),
            "* THREAD\r\nf OK thread done\r\n");
  EXPECT_NE(send("g CAPABILITY\r\n")
                .find(" SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES"),
            std::string::npos);
  EXPECT_EQ(send("h UNSELECT\r\n"), "h OK unselect done\r\n");
  EXPECT_EQ(send("i SORT (DATE) UTF-8 ALL\r\n"), "i BAD no mailbox selected\r\n");
}

// CATENATE (RFC 4469): TEXT and URL parts, absolute and relative URLs,
// BADURL, TOOBIG, TRYCREATE before BADURL, with MULTIAPPEND all or nothing.
TEST_F(ImapSessionTest, Catenate) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" CATENATE"), std::string::npos);
  std::string m = "From: a@example.com\r\n\r\nHello\r\n";
  send("b APPEND INBOX {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n");
  std::string r = send("c STATUS INBOX (UIDVALIDITY)\r\n");
  std::string uidv = r.substr(r.find("UIDVALIDITY ") + 12);
  uidv = uidv.substr(0, uidv.find(')'));
  r = send(
      "d APPEND INBOX CATENATE (URL \"/INBOX;UIDVALIDITY=" + uidv +
      "/;UID=1/;SECTION=HEADER\" TEXT {7+}\r\nbody 2\n URL \"/Inbox/;UID=1/;PARTIAL=2.3\")\r\n");
  EXPECT_NE(r.find("d OK [APPENDUID " + uidv + " 2]"), std::string::npos) << r;
  send("e SELECT INBOX\r\n");
  EXPECT_EQ(
      send("f FETCH 2 BODY.PEEK[]\r\n"),
      "* 2 FETCH (BODY[] {33}\r\nFrom: a@example.com\r\n\r\nbody 2\nom:)\r\nf OK fetch done\r\n");
  // Relative to the selected mailbox (RFC 5092 §7).
  r = send("g APPEND INBOX CATENATE (URL \";UID=1/;SECTION=TEXT\")\r\n");
  EXPECT_NE(r.find("g OK [APPENDUID"), std::string::npos) << r;
  EXPECT_NE(send("h FETCH 3 BODY.PEEK[]\r\n").find("{7}\r\nHello\r\n)"), std::string::npos);
  // A wrong UIDVALIDITY, an unknown UID or mailbox: BADURL with the URL.
  EXPECT_EQ(
      send("i APPEND INBOX CATENATE (TEXT {1+}\r\nx URL \"/Inbox;UIDVALIDITY=1/;UID=1\")\r\n"),
      "i NO [BADURL \"/Inbox;UIDVALIDITY=1/;UID=1\"] url does not name a message of this "
      "account\r\n");
  EXPECT_EQ(send("j APPEND INBOX CATENATE (URL \"/Inbox/;UID=99\")\r\n").substr(0, 13),
            "j NO [BADURL ");
  EXPECT_EQ(send("k APPEND INBOX CATENATE (URL \"/Nope/;UID=1\")\r\n").substr(0, 13),
            "k NO [BADURL ");
  EXPECT_EQ(send("l APPEND Nope CATENATE (URL \"/Nope/;UID=1\")\r\n"),
            "l NO [TRYCREATE] mailbox does not exist\r\n");
  // MULTIAPPEND: the second message's bad URL takes back the first.
  r = send("m APPEND INBOX CATENATE (TEXT {1+}\r\nx) CATENATE (URL \"/Inbox/;UID=99\")\r\n");
  EXPECT_EQ(r.substr(0, 13), "m NO [BADURL ") << r;
  EXPECT_EQ(send("n NOOP\r\n"), "n OK noop done\r\n");
  r = send("o APPEND INBOX CATENATE (URL \"/Inbox/;UID=1\") {1+}\r\ny\r\n");
  EXPECT_TRUE(std::regex_search(r, std::regex("o OK \\[APPENDUID [0-9]+ [0-9]+:[0-9]+\\]"))) << r;
  // The whole message counts against APPENDLIMIT: NO [TOOBIG].
  Settings s = settings_;
  s.max_append = 40;
  restart(s);
  r = send("p APPEND INBOX CATENATE (URL \"/Inbox/;UID=1\" URL \"/Inbox/;UID=1\")\r\n");
  EXPECT_EQ(r, "p NO [TOOBIG] message too large\r\n");
}

// REPLACE and UID REPLACE (RFC 8508): APPENDUID in an untagged OK, the new
// message's EXISTS, then the old one's EXPUNGE; a failed append changes
// nothing.
TEST_F(ImapSessionTest, Replace) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" REPLACE"), std::string::npos);
  send("b APPEND INBOX {1+}\r\n1\r\n");
  send("c APPEND INBOX {1+}\r\n2\r\n");
  EXPECT_EQ(send("d REPLACE 1 INBOX {1+}\r\n3\r\n"), "d BAD no mailbox selected\r\n");
  send("e SELECT INBOX\r\n");
  std::string r = send("f REPLACE 1 INBOX (\\Draft) {1+}\r\n3\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* OK \\[APPENDUID [0-9]+ 3\\] replacement message "
                    "ready\r\n\\* 3 EXISTS\r\n\\* 3 RECENT\r\n\\* 1 EXPUNGE\r\nf OK "
                    "replace done\r\n")))
      << r;
  send("g CREATE Drafts\r\n");
  r = send("h UID REPLACE 3 Drafts CATENATE (URL \";UID=2\" TEXT {1+}\r\n4)\r\n");
  EXPECT_TRUE(std::regex_match(
      r, std::regex("\\* OK \\[APPENDUID [0-9]+ 1\\] replacement message ready\r\n\\* 2 "
                    "EXPUNGE\r\nh OK replace done\r\n")))
      << r;
  EXPECT_EQ(send("i UID REPLACE 3 INBOX {1+}\r\n5\r\n"), "i NO no such message to replace\r\n");
  EXPECT_EQ(send("j REPLACE 1 Nope {1+}\r\n5\r\n"), "j NO [TRYCREATE] mailbox does not exist\r\n");
  EXPECT_EQ(send("k FETCH 1 (UID BODY.PEEK[])\r\n"),
            "* 1 FETCH (UID 2 BODY[] {1}\r\n2)\r\nk OK fetch done\r\n");
  EXPECT_EQ(send("l STATUS Drafts (MESSAGES)\r\n"),
            "* STATUS Drafts (MESSAGES 1)\r\nl OK status done\r\n");
  send("m EXAMINE INBOX\r\n");
  EXPECT_EQ(send("n REPLACE 1 INBOX {1+}\r\n5\r\n"), "n NO [READ-ONLY] mailbox is read-only\r\n");
  // With QRESYNC the old message vanishes.
  send("o ENABLE QRESYNC\r\n");
  send("p SELECT INBOX\r\n");
  r = send("q REPLACE 1 INBOX {1+}\r\n6\r\n");
  EXPECT_NE(r.find("* VANISHED 2\r\nq OK replace done"), std::string::npos) << r;
}

// FETCH PREVIEW (RFC 8970): rendered once, then read from the store (the
// message file is not needed for the second FETCH).
TEST_F(ImapSessionTest, Preview) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" PREVIEW"), std::string::npos);
  std::string m =
      "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Caf\xc3\xa9   &amp;\r\n tea</p>\r\n";
  send("b APPEND INBOX {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n");
  send("c SELECT INBOX\r\n");
  EXPECT_EQ(send("d FETCH 1 (PREVIEW)\r\n"),
            "* 1 FETCH (PREVIEW {11}\r\nCaf\xc3\xa9 & tea)\r\nd OK fetch done\r\n");
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "mjl" / "msg")) {
    if (e.is_regular_file()) std::filesystem::remove(e.path());
  }
  EXPECT_EQ(send("e UID FETCH 1 (PREVIEW (LAZY))\r\n"),
            "* 1 FETCH (UID 1 PREVIEW {11}\r\nCaf\xc3\xa9 & tea)\r\ne OK fetch done\r\n");
  send("f ENABLE UTF8=ACCEPT\r\n");
  EXPECT_EQ(send("g FETCH 1 (PREVIEW)\r\n"),
            "* 1 FETCH (PREVIEW \"Caf\xc3\xa9 & tea\")\r\ng OK fetch done\r\n");
}

// UIDONLY (RFC 9586): message numbers refused, UIDFETCH for FETCH, VANISHED
// for EXPUNGE, in responses to the session's own commands and to changes of
// other sessions.
TEST_F(ImapSessionTest, UidOnly) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" UIDONLY"), std::string::npos);
  for (const char* m : {"1", "2", "3"}) send(std::string("b APPEND INBOX {1+}\r\n") + m + "\r\n");
  EXPECT_EQ(send("c ENABLE UIDONLY\r\n"), "* ENABLED UIDONLY\r\nc OK enable done\r\n");
  send("d SELECT INBOX\r\n");
  for (const char* cmd : {"e FETCH 1 FLAGS", "e STORE 1 +FLAGS (\\Seen)", "e COPY 1 INBOX",
                          "e MOVE 1 Archive", "e SEARCH ALL", "e UID SEARCH 1:2",
                          "e UID SEARCH NOT (OR 1 UID 2)", "e REPLACE 1 INBOX {1+}\r\nx"}) {
    EXPECT_EQ(send(std::string(cmd) + "\r\n"),
              "e BAD [UIDREQUIRED] message numbers not allowed with UIDONLY\r\n")
        << cmd;
  }
  EXPECT_EQ(send("f UID FETCH 2:3 (FLAGS)\r\n"),
            "* 2 UIDFETCH (UID 2 FLAGS (\\Recent))\r\n* 3 UIDFETCH (UID 3 FLAGS (\\Recent))\r\n"
            "f OK fetch done\r\n");
  EXPECT_EQ(send("g UID STORE 3 +FLAGS (\\Deleted)\r\n"),
            "* 3 UIDFETCH (UID 3 FLAGS (\\Recent \\Deleted))\r\ng OK store done\r\n");
  EXPECT_EQ(send("h UID SEARCH UID 1:2\r\n"), "* SEARCH 1 2\r\nh OK search done\r\n");
  EXPECT_EQ(send("i EXPUNGE\r\n"), "* VANISHED 3\r\ni OK expunge done\r\n");
  std::string r = send("j UID MOVE 1 Archive\r\n");
  EXPECT_NE(r.find("* VANISHED 1\r\nj OK move done"), std::string::npos) << r;
  // A change by another session.
  Session other(settings_, *backend_);
  other.greeting();
  other.tls_started(tls_on(""));
  other.feed("x LOGIN mjl@example.com password1234\r\n");
  other.feed("y SELECT INBOX\r\n");
  other.feed("z UID STORE 2 +FLAGS.SILENT (\\Flagged)\r\n");
  EXPECT_EQ(send("k NOOP\r\n"),
            "* 2 UIDFETCH (UID 2 FLAGS (\\Recent \\Flagged))\r\nk OK noop done\r\n");
}

// METADATA (RFC 5464): server and mailbox entries, DEPTH, MAXSIZE, NIL for
// missing entries, limits, entries gone with their mailbox and moved by
// RENAME.
TEST_F(ImapSessionTest, Metadata) {
  login();
  EXPECT_NE(send("a CAPABILITY\r\n").find(" METADATA METADATA-SERVER"), std::string::npos);
  EXPECT_EQ(
      send("b SETMETADATA \"\" (/shared/comment \"server note\" /private/a/b {2+}\r\nxy)\r\n"),
      "b OK setmetadata done\r\n");
  EXPECT_EQ(send("c GETMETADATA \"\" (/shared/Comment /private/none)\r\n"),
            "* METADATA \"\" (/shared/comment \"server note\" /private/none NIL)\r\n"
            "c OK getmetadata done\r\n");
  EXPECT_EQ(send("d GETMETADATA (DEPTH infinity MAXSIZE 5) \"\" /private\r\n"),
            "* METADATA \"\" (/private/a/b \"xy\" /private NIL)\r\nd OK getmetadata done\r\n");
  EXPECT_EQ(send("e GETMETADATA (MAXSIZE 5) \"\" (/shared/comment)\r\n"),
            "e OK [METADATA LONGENTRIES 11] getmetadata done\r\n");
  EXPECT_EQ(send("f GETMETADATA (DEPTH 1) \"\" /private/a\r\n"),
            "* METADATA \"\" (/private/a/b \"xy\" /private/a NIL)\r\nf OK getmetadata done\r\n");
  send("g CREATE Work\r\n");
  EXPECT_EQ(send("h SETMETADATA Work (/private/color \"red\")\r\n"), "h OK setmetadata done\r\n");
  EXPECT_EQ(send("i RENAME Work Job\r\n"), "i OK rename done\r\n");
  EXPECT_EQ(send("j GETMETADATA Job /private/color\r\n"),
            "* METADATA Job (/private/color \"red\")\r\nj OK getmetadata done\r\n");
  EXPECT_EQ(send("k SETMETADATA Job (/private/color NIL)\r\n"), "k OK setmetadata done\r\n");
  EXPECT_EQ(send("l GETMETADATA Job /private/color\r\n"),
            "* METADATA Job (/private/color NIL)\r\nl OK getmetadata done\r\n");
  send("m SETMETADATA Job (/shared/x \"1\")\r\n");
  send("n DELETE Job\r\n");
  send("o CREATE Job\r\n");
  EXPECT_EQ(send("p GETMETADATA Job /shared/x\r\n"),
            "* METADATA Job (/shared/x NIL)\r\np OK getmetadata done\r\n");
  EXPECT_EQ(send("q GETMETADATA Nope /shared/x\r\n"),
            "q NO [NONEXISTENT] mailbox does not exist\r\n");
  EXPECT_EQ(send("r SETMETADATA \"\" (/other/x \"1\")\r\n"),
            "r BAD invalid metadata entry name\r\n");
  EXPECT_EQ(send("s SETMETADATA \"\" (\"/shared/x*\" \"1\")\r\n"),
            "s BAD invalid metadata entry name\r\n");
  std::string big(32 * 1024 + 1, 'v');
  EXPECT_EQ(send("t SETMETADATA \"\" (/shared/big {" + std::to_string(big.size()) + "+}\r\n" + big +
                 ")\r\n"),
            "t NO [METADATA MAXSIZE 32768] metadata value too large\r\n");
  std::string many;
  for (int i = 0; i < 257; ++i) many += " /shared/n" + std::to_string(i) + " \"v\"";
  EXPECT_EQ(send("u SETMETADATA Job (" + many.substr(1) + ")\r\n"),
            "u NO [METADATA TOOMANY] too many metadata entries\r\n");
  EXPECT_EQ(send("v GETMETADATA Job /shared/n1\r\n"),
            "* METADATA Job (/shared/n1 NIL)\r\nv OK getmetadata done\r\n");
}

}  // namespace
}  // namespace mox::imapserver
