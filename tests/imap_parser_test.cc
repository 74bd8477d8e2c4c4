// Tests for lib/imap/parser.* and describe.*: command lines as real clients
// send them (Thunderbird, K-9/FairEmail/JavaMail, Apple Mail, mutt, mbsync,
// Python imaplib, curl), through the Reader and the parser, compared with the
// expected structure; every command and extension mox-imapd announces; mailbox
// names in modified UTF-7 and UTF-8.
#include <gtest/gtest.h>

#include "imap/describe.h"
#include "imap/imapurl.h"
#include "imap/parser.h"

namespace mox::imap {
namespace {

using namespace std::string_literals;

// Feeds `wire` + CRLF to a Reader, accepting synchronizing literals, and
// parses the one command that results.
Result<Command> parse_wire(std::string_view wire, ParseOptions o = {}) {
  Reader r;
  r.feed(std::string(wire) + "\r\n");
  while (true) {
    ReadEvent ev = r.next();
    switch (ev.kind) {
      case ReadEvent::Kind::kLiteral:
        r.accept_literal();
        break;
      case ReadEvent::Kind::kCommand:
        EXPECT_EQ(r.buffered(), 0u) << wire;
        return parse_command(std::move(ev.command), o);
      default:
        return internal_error("reader did not produce a command");
    }
  }
}

struct Case {
  const char* wire;
  const char* want;  // describe() of the result
};

void check(const Case& c, ParseOptions o = {}) {
  Result<Command> cmd = parse_wire(c.wire, o);
  ASSERT_TRUE(cmd.ok()) << c.wire << "\n  error: " << cmd.error().message;
  EXPECT_EQ(describe(*cmd), c.want) << c.wire;
}

TEST(ImapParser, Thunderbird) {
  for (const Case& c : std::initializer_list<Case>{
           {"1 capability", "1 CAPABILITY"},
           {"2 authenticate PLAIN", "2 AUTHENTICATE mech=PLAIN"},
           {"3 ID (\"name\" \"Thunderbird\" \"version\" \"115.5.0\")",
            "3 ID params=[(\"name\" \"Thunderbird\") (\"version\" \"115.5.0\")]"},
           {"4 enable CONDSTORE", "4 ENABLE caps=[CONDSTORE]"},
           {"5 list (SUBSCRIBED) \"\" \"*\" return (SPECIAL-USE)",
            "5 LIST select=[SUBSCRIBED] ref=\"\" patterns=[\"*\"] return=[SPECIAL-USE] extended"},
           {"6 lsub \"\" \"*\"", "6 LSUB ref=\"\" pattern=\"*\""},
           {"7 select \"INBOX\" (CONDSTORE)", "7 SELECT mailbox=\"Inbox\" condstore"},
           {"8 UID fetch 1:* (FLAGS) (CHANGEDSINCE 12345)",
            "8 UID FETCH set=1:* atts=[FLAGS] changedsince=12345"},
           {"9 UID fetch 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc "
            "Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
            "Content-Type Reply-To)])",
            "9 UID FETCH set=1:* atts=[UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc "
            "Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
            "Content-Type Reply-To)]]"},
           {"10 UID fetch 418 (UID RFC822.SIZE BODY.PEEK[]<0.10240>)",
            "10 UID FETCH set=418 atts=[UID RFC822.SIZE BODY.PEEK[]<0.10240>]"},
           {"11 uid store 418 +Flags (\\Seen)", "11 UID STORE set=418 +FLAGS [\\Seen]"},
           {"12 uid move 418,420:422 \"Trash\"", "12 UID MOVE set=418,420:422 mailbox=\"Trash\""},
           {"13 uid copy 418 \"Archive/2024\"", "13 UID COPY set=418 mailbox=\"Archive/2024\""},
           {"14 expunge", "14 EXPUNGE"},
           {"15 IDLE", "15 IDLE"},
           {"16 append \"Sent\" (\\Seen) {12+}\r\nSubject: x\r\n",
            "16 APPEND mailbox=\"Sent\" messages=[(flags=[\\Seen] size=12)]"},
           {"17 UID fetch 1:* (FLAGS) (CHANGEDSINCE 9 VANISHED)",
            "17 UID FETCH set=1:* atts=[FLAGS] changedsince=9 vanished"},
           {"18 select \"INBOX\" (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
            "18 SELECT mailbox=\"Inbox\" qresync=(uidvalidity=67890007 modseq=20050715194045000 "
            "known_uids=41,43:211,214:541)"},
           {"19 uid fetch 418 (BODY.PEEK[1.2.MIME] BODY.PEEK[1.2]<0.2048>)",
            "19 UID FETCH set=418 atts=[BODY.PEEK[1.2.MIME] BODY.PEEK[1.2]<0.2048>]"},
           {"20 subscribe \"Archive\"", "20 SUBSCRIBE mailbox=\"Archive\""},
           {"21 create \"Archive/2024\"", "21 CREATE mailbox=\"Archive/2024\""},
           {"22 rename \"Old\" \"New\"", "22 RENAME from=\"Old\" to=\"New\""},
           {"23 STATUS \"Sent\" (UIDNEXT MESSAGES UNSEEN RECENT)",
            "23 STATUS mailbox=\"Sent\" items=(UIDNEXT MESSAGES UNSEEN RECENT)"},
           {"24 logout", "24 LOGOUT"},
           {"25 noop", "25 NOOP"},
       }) {
    check(c);
  }
}

TEST(ImapParser, K9FairEmailJavaMail) {
  for (const Case& c : std::initializer_list<Case>{
           {"A1 CAPABILITY", "A1 CAPABILITY"},
           {"A2 AUTHENTICATE PLAIN AHVzZXIAcGFzcw==", "A2 AUTHENTICATE mech=PLAIN ir=<redacted>"},
           {"A3 ID (\"name\" \"com.sun.mail.imap\" \"version\" \"2.0.1\" \"vendor\" NIL)",
            "A3 ID params=[(\"name\" \"com.sun.mail.imap\") (\"version\" \"2.0.1\") "
            "(\"vendor\" NIL)]"},
           {"A4 ENABLE UTF8=ACCEPT", "A4 ENABLE caps=[UTF8=ACCEPT]"},
           {"A5 LIST \"\" \"\"", "A5 LIST ref=\"\" patterns=[\"\"]"},
           {"A6 NAMESPACE", "A6 NAMESPACE"},
           {"A7 EXAMINE INBOX", "A7 EXAMINE mailbox=\"Inbox\""},
           {"A8 UID SEARCH ALL", "A8 UID SEARCH keys=[ALL]"},
           {"A9 FETCH 1:50 (UID FLAGS)", "A9 FETCH set=1:50 atts=[UID FLAGS]"},
           {"A10 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
            "A10 UID FETCH set=1:* atts=[UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE "
            "BODYSTRUCTURE]"},
           {"A11 FETCH 5 (BODY.PEEK[1.2]<0.16384>)",
            "A11 FETCH set=5 atts=[BODY.PEEK[1.2]<0.16384>]"},
           {"A12 UID SEARCH SINCE 1-Feb-2024", "A12 UID SEARCH keys=[SINCE 2024-02-01]"},
           {"A13 UID SEARCH OR OR SUBJECT \"foo\" FROM \"foo\" BODY \"foo\"",
            "A13 UID SEARCH keys=[OR(OR(SUBJECT \"foo\" FROM \"foo\") BODY \"foo\")]"},
           {"A14 STATUS \"INBOX\" (UIDNEXT MESSAGES)",
            "A14 STATUS mailbox=\"Inbox\" items=(UIDNEXT MESSAGES)"},
           {"A15 UID STORE 5 +FLAGS.SILENT (\\Seen $Forwarded)",
            "A15 UID STORE set=5 +FLAGS.SILENT [\\Seen $Forwarded]"},
           {"6 UID SEARCH 1:* NOT DELETED SINCE 10-Oct-2023",
            "6 UID SEARCH keys=[SEQ 1:* NOT(DELETED) SINCE 2023-10-10]"},
           {"7 UID FETCH 3:5 (UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject "
            "from content-type to cc reply-to message-id references in-reply-to "
            "X-K9mail-Identity Chat-Version)])",
            "7 UID FETCH set=3:5 atts=[UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date "
            "subject from content-type to cc reply-to message-id references in-reply-to "
            "X-K9mail-Identity Chat-Version)]]"},
           {"8 UID FETCH 5 (UID BODYSTRUCTURE)", "8 UID FETCH set=5 atts=[UID BODYSTRUCTURE]"},
           {"9 UID STORE 5 -FLAGS.SILENT (\\Flagged)",
            "9 UID STORE set=5 -FLAGS.SILENT [\\Flagged]"},
           {"10 UID MOVE 5 \"[Gmail]/Trash\"", "10 UID MOVE set=5 mailbox=\"[Gmail]/Trash\""},
           {"11 UID EXPUNGE 5", "11 UID EXPUNGE uids=5"},
           {"12 UNSELECT", "12 UNSELECT"},
       }) {
    check(c);
  }
}

TEST(ImapParser, AppleMail) {
  for (const Case& c : std::initializer_list<Case>{
           {"1.1 CAPABILITY", "1.1 CAPABILITY"},
           {"2.1 ID (\"name\" \"Mac OS X Mail\" \"version\" \"16.0 (3774.600.62)\" \"os\" "
            "\"Mac OS X\" \"os-version\" \"14.4 (23E214)\" \"vendor\" \"Apple Inc.\")",
            "2.1 ID params=[(\"name\" \"Mac OS X Mail\") (\"version\" \"16.0 (3774.600.62)\") "
            "(\"os\" \"Mac OS X\") (\"os-version\" \"14.4 (23E214)\") (\"vendor\" \"Apple "
            "Inc.\")]"},
           {"3.1 LOGIN \"mjl@example.com\" \"p\\\"ss\\\\word\"",
            "3.1 LOGIN user=\"mjl@example.com\" password=<redacted>"},
           {"4.1 LIST (SPECIAL-USE) \"\" \"*\"",
            "4.1 LIST select=[SPECIAL-USE] ref=\"\" patterns=[\"*\"] extended"},
           {"5.1 SELECT INBOX (CONDSTORE)", "5.1 SELECT mailbox=\"Inbox\" condstore"},
           {"6.1 UID FETCH 1:100 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
            "(date subject from to cc message-id in-reply-to references content-type x-priority "
            "list-id list-unsubscribe bimi-location authentication-results)] MODSEQ)",
            "6.1 UID FETCH set=1:100 atts=[UID FLAGS INTERNALDATE RFC822.SIZE "
            "BODY.PEEK[HEADER.FIELDS (date subject from to cc message-id in-reply-to references "
            "content-type x-priority list-id list-unsubscribe bimi-location "
            "authentication-results)] MODSEQ]"},
           {"7.1 STATUS \"Sent Messages\" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)",
            "7.1 STATUS mailbox=\"Sent Messages\" items=(MESSAGES UIDNEXT UIDVALIDITY UNSEEN "
            "HIGHESTMODSEQ)"},
           {"8.1 UID MOVE 5 \"Deleted Messages\"",
            "8.1 UID MOVE set=5 mailbox=\"Deleted Messages\""},
           {"9.1 UID FETCH 2 BODY.PEEK[]", "9.1 UID FETCH set=2 atts=[BODY.PEEK[]]"},
           {"10.1 UID STORE 7 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)",
            "10.1 UID STORE set=7 unchangedsince=320162338 +FLAGS.SILENT [\\Deleted]"},
           {"11.1 CREATE \"Drafts\" (USE (\\Drafts))",
            "11.1 CREATE mailbox=\"Drafts\" use=[\\Drafts]"},
           {"12.1 UID FETCH 3 (BINARY.PEEK[1]<0.4096> BINARY.SIZE[2])",
            "12.1 UID FETCH set=3 atts=[BINARY.PEEK[1]<0.4096> BINARY.SIZE[2]]"},
       }) {
    check(c);
  }
}

TEST(ImapParser, MuttAndMbsync) {
  for (const Case& c : std::initializer_list<Case>{
           {"a0000 CAPABILITY", "a0000 CAPABILITY"},
           {"a0001 AUTHENTICATE SCRAM-SHA-256", "a0001 AUTHENTICATE mech=SCRAM-SHA-256"},
           {"a0002 SELECT \"INBOX\" (QRESYNC (1715000000 1234 1:500 (1,10,100 3,30,300)))",
            "a0002 SELECT mailbox=\"Inbox\" qresync=(uidvalidity=1715000000 modseq=1234 "
            "known_uids=1:500 seqs=1,10,100 uids=3,30,300)"},
           {"a0003 FETCH 1:25 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE "
            "FROM SENDER SUBJECT TO CC MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION "
            "IN-REPLY-TO REPLY-TO LINES LIST-POST X-LABEL X-ORIGINAL-TO)])",
            "a0003 FETCH set=1:25 atts=[UID FLAGS INTERNALDATE RFC822.SIZE "
            "BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER SUBJECT TO CC MESSAGE-ID REFERENCES "
            "CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES LIST-POST X-LABEL "
            "X-ORIGINAL-TO)]]"},
           {"a0004 UID STORE 1,3:5 +FLAGS.SILENT (\\Deleted)",
            "a0004 UID STORE set=1,3:5 +FLAGS.SILENT [\\Deleted]"},
           {"a0005 UID EXPUNGE 1,3:5", "a0005 UID EXPUNGE uids=1,3:5"},
           {"a0006 STATUS \"INBOX\" (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
            "a0006 STATUS mailbox=\"Inbox\" items=(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)"},
           {"a0007 APPEND \"Sent\" (\\Seen) \"05-Feb-2024 13:05:00 +0100\" {5}\r\nhello",
            "a0007 APPEND mailbox=\"Sent\" messages=[(flags=[\\Seen] "
            "date=2024-02-05T13:05:00+0100 size=5)]"},
           {"a0008 UID FETCH 5 BODY.PEEK[]", "a0008 UID FETCH set=5 atts=[BODY.PEEK[]]"},
           {"a0009 CHECK", "a0009 CHECK"},
           {"a0010 CLOSE", "a0010 CLOSE"},
           {"a0011 UID SEARCH UNSEEN", "a0011 UID SEARCH keys=[UNSEEN]"},
           // mbsync
           {"1 AUTHENTICATE PLAIN AG1qbABzZWNyZXQ=", "1 AUTHENTICATE mech=PLAIN ir=<redacted>"},
           {"2 UID FETCH 1:1000000000 (UID FLAGS)",
            "2 UID FETCH set=1:1000000000 atts=[UID FLAGS]"},
           {"3 UID FETCH 5:* (UID BODY.PEEK[HEADER.FIELDS (X-TUID)])",
            "3 UID FETCH set=5:* atts=[UID BODY.PEEK[HEADER.FIELDS (X-TUID)]]"},
           {"4 APPEND \"INBOX\" (\\Seen \\Flagged) \" 5-Feb-2024 13:05:00 +0000\" {3+}\r\nabc",
            "4 APPEND mailbox=\"Inbox\" messages=[(flags=[\\Seen \\Flagged] "
            "date=2024-02-05T13:05:00+0000 size=3)]"},
           {"5 UID STORE 5 +FLAGS.SILENT \\Seen", "5 UID STORE set=5 +FLAGS.SILENT [\\Seen]"},
           {"6 CREATE \"Archive\"", "6 CREATE mailbox=\"Archive\""},
       }) {
    check(c);
  }
}

TEST(ImapParser, ImaplibAndCurl) {
  for (const Case& c : std::initializer_list<Case>{
           {"KPNF1 CAPABILITY", "KPNF1 CAPABILITY"},
           {"KPNF2 LOGIN mjl@example.com \"pa ss\"",
            "KPNF2 LOGIN user=\"mjl@example.com\" password=<redacted>"},
           {"KPNF3 SELECT INBOX", "KPNF3 SELECT mailbox=\"Inbox\""},
           {"KPNF4 SEARCH ALL", "KPNF4 SEARCH keys=[ALL]"},
           {"KPNF5 FETCH 1 (RFC822)", "KPNF5 FETCH set=1 atts=[RFC822]"},
           {"KPNF6 STORE 1 +FLAGS \\Deleted", "KPNF6 STORE set=1 +FLAGS [\\Deleted]"},
           {"KPNF7 STORE 1:3 FLAGS ()", "KPNF7 STORE set=1:3 FLAGS []"},
           {"KPNF8 APPEND INBOX {5}\r\nhello",
            "KPNF8 APPEND mailbox=\"Inbox\" messages=[(size=5)]"},
           {"KPNF9 LIST \"\" *", "KPNF9 LIST ref=\"\" patterns=[\"*\"]"},
           {"KPNF10 RENAME a b", "KPNF10 RENAME from=\"a\" to=\"b\""},
           {"KPNF11 DELETE a", "KPNF11 DELETE mailbox=\"a\""},
           {"KPNF12 COPY 1:2 Archive", "KPNF12 COPY set=1:2 mailbox=\"Archive\""},
           {"KPNF13 UNSUBSCRIBE Archive", "KPNF13 UNSUBSCRIBE mailbox=\"Archive\""},
           {"KPNF14 FETCH 1 (RFC822.HEADER RFC822.TEXT BODY)",
            "KPNF14 FETCH set=1 atts=[RFC822.HEADER RFC822.TEXT BODY]"},
           {"KPNF15 SEARCH CHARSET UTF-8 SUBJECT {6}\r\nf\xc3\xbc\xc3\xbcr",
            "KPNF15 SEARCH charset=UTF-8 keys=[SUBJECT \"f\\xc3\\xbc\\xc3\\xbcr\"]"},
           {"KPNF16 STARTTLS", "KPNF16 STARTTLS"},
           {"KPNF17 AUTHENTICATE CRAM-MD5", "KPNF17 AUTHENTICATE mech=CRAM-MD5"},
           {"KPNF18 FETCH 2 FULL",
            "KPNF18 FETCH set=2 atts=[FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY]"},
           {"KPNF19 FETCH 2 fast", "KPNF19 FETCH set=2 atts=[FLAGS INTERNALDATE RFC822.SIZE]"},
           {"KPNF20 FETCH 2:4 ALL",
            "KPNF20 FETCH set=2:4 atts=[FLAGS INTERNALDATE RFC822.SIZE ENVELOPE]"},
           {"A001 AUTHENTICATE PLAIN AGZvbwBiYXI=", "A001 AUTHENTICATE mech=PLAIN ir=<redacted>"},
           {"A002 FETCH 1 BODY[]", "A002 FETCH set=1 atts=[BODY[]]"},
           {"A003 UID FETCH 1 BODY[1.TEXT]", "A003 UID FETCH set=1 atts=[BODY[1.TEXT]]"},
           {"A004 ID NIL", "A004 ID NIL"},
           {"A005 ID ()", "A005 ID params=[]"},
       }) {
    check(c);
  }
}

TEST(ImapParser, SearchPrograms) {
  for (const Case& c : std::initializer_list<Case>{
           {"a UID SEARCH CHARSET UTF-8 OR SUBJECT \"x\" FROM {3+}\r\nabc",
            "a UID SEARCH charset=UTF-8 keys=[OR(SUBJECT \"x\" FROM \"abc\")]"},
           {"b SEARCH RETURN (MIN MAX COUNT) UNSEEN",
            "b SEARCH return=[MIN MAX COUNT] keys=[UNSEEN]"},
           {"c UID SEARCH RETURN () 1:*", "c UID SEARCH return=[] keys=[SEQ 1:*]"},
           {"d UID SEARCH RETURN (SAVE ALL) FLAGGED",
            "d UID SEARCH return=[SAVE ALL] keys=[FLAGGED]"},
           {"e UID FETCH $ (FLAGS)", "e UID FETCH set=$ atts=[FLAGS]"},
           {"f SEARCH UID $ NOT SEEN", "f SEARCH keys=[UID $ NOT(SEEN)]"},
           {"g SEARCH ((FROM a TO b) OR (CC c) (BCC d)) NOT (LARGER 1000 SMALLER 5)",
            "g SEARCH keys=[((FROM \"a\" TO \"b\") OR((CC \"c\") (BCC \"d\"))) NOT((LARGER 1000 "
            "SMALLER 5))]"},
           {"h SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338",
            "h SEARCH keys=[MODSEQ \"/flags/\\\\draft\" all 620162338]"},
           {"i SEARCH MODSEQ 0", "i SEARCH keys=[MODSEQ 0]"},
           {"j SEARCH YOUNGER 3600 OLDER 60", "j SEARCH keys=[YOUNGER 3600 OLDER 60]"},
           {"k SEARCH BEFORE \"1-Jan-2025\" ON 31-dec-2024 SENTSINCE 2-Mar-2023 "
            "SENTBEFORE 3-Mar-2023 SENTON 4-Mar-2023",
            "k SEARCH keys=[BEFORE 2025-01-01 ON 2024-12-31 SENTSINCE 2023-03-02 "
            "SENTBEFORE 2023-03-03 SENTON 2023-03-04]"},
           {"l SEARCH HEADER Message-ID \"<a@b>\" KEYWORD $Junk UNKEYWORD $NotJunk",
            "l SEARCH keys=[HEADER \"Message-ID\" \"<a@b>\" KEYWORD $Junk UNKEYWORD $NotJunk]"},
           {"m SEARCH NEW OLD RECENT ANSWERED UNANSWERED DRAFT UNDRAFT UNFLAGGED UNDELETED TEXT x",
            "m SEARCH keys=[NEW OLD RECENT ANSWERED UNANSWERED DRAFT UNDRAFT UNFLAGGED UNDELETED "
            "TEXT \"x\"]"},
           {"n SEARCH SAVEDATESUPPORTED SAVEDBEFORE 1-Feb-2024 SAVEDON 2-Feb-2024 "
            "SAVEDSINCE 3-Feb-2024",
            "n SEARCH keys=[SAVEDATESUPPORTED SAVEDBEFORE 2024-02-01 SAVEDON 2024-02-02 "
            "SAVEDSINCE 2024-02-03]"},
           {"o search charset \"us-ascii\" 2,4:6,* to \"\"",
            "o SEARCH charset=US-ASCII keys=[SEQ 2,4:6,* TO \"\"]"},
           {"p SEARCH NOT NOT NOT SEEN", "p SEARCH keys=[NOT(NOT(NOT(SEEN)))]"},
       }) {
    check(c);
  }
}

// CONTEXT=SEARCH (RFC 5267), PARTIAL (RFC 9394), MULTISEARCH (RFC 7377):
// one parser of return options for all of them.
TEST(ImapParser, SearchContextPartialMultisearch) {
  for (const Case& c : std::initializer_list<Case>{
           {"a SEARCH RETURN (UPDATE) SEEN", "a SEARCH return=[UPDATE] keys=[SEEN]"},
           {"b UID SEARCH RETURN (PARTIAL 1:100) ALL",
            "b UID SEARCH return=[PARTIAL] partial=1:100 keys=[ALL]"},
           {"c SEARCH RETURN (partial 4:2 COUNT) ALL",
            "c SEARCH return=[PARTIAL COUNT] partial=2:4 keys=[ALL]"},
           {"d SEARCH RETURN (PARTIAL -100:-1) ALL",
            "d SEARCH return=[PARTIAL] partial=-1:-100 keys=[ALL]"},
           {"e CANCELUPDATE \"a\" \"b2\"", "e CANCELUPDATE tags=[\"a\" \"b2\"]"},
           {"f ESEARCH IN (mailboxes \"a b\" subtree-one (x y) personal) RETURN (COUNT) ALL",
            "f ESEARCH in=[mailboxes \"a b\" subtree-one \"x\" \"y\" personal] return=[COUNT] "
            "keys=[ALL]"},
           {"g ESEARCH IN (selected-delayed subtree INBOX) UNSEEN",
            "g ESEARCH in=[selected-delayed subtree \"Inbox\"] keys=[UNSEEN]"},
           {"h ESEARCH RETURN (MIN) ALL", "h ESEARCH return=[MIN] keys=[ALL]"},
       }) {
    check(c);
  }
  for (const char* bad :
       {"a SEARCH RETURN (PARTIAL 1) ALL", "a SEARCH RETURN (PARTIAL 1:*) ALL",
        "a SEARCH RETURN (PARTIAL *:1) ALL", "a SEARCH RETURN (PARTIAL -1:2) ALL",
        "a SEARCH RETURN (PARTIAL 0:2) ALL", "a SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL",
        "a ESEARCH IN () ALL", "a ESEARCH IN (nowhere) ALL", "a ESEARCH IN (subtree) ALL",
        "a CANCELUPDATE"}) {
    auto r = parse_wire(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(ImapParser, ListExtended) {
  for (const Case& c : std::initializer_list<Case>{
           {"a LIST (SPECIAL-USE) \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))",
            "a LIST select=[SPECIAL-USE] ref=\"\" patterns=[\"*\"] return=[STATUS(MESSAGES "
            "UNSEEN)] extended"},
           {"b LIST \"\" (INBOX Drafts \"Sent*\" %) RETURN (SUBSCRIBED CHILDREN)",
            "b LIST ref=\"\" patterns=[\"INBOX\" \"Drafts\" \"Sent*\" \"%\"] return=[SUBSCRIBED "
            "CHILDREN] extended"},
           {"c LIST (SUBSCRIBED RECURSIVEMATCH REMOTE) \"Archive/\" %",
            "c LIST select=[SUBSCRIBED REMOTE RECURSIVEMATCH] ref=\"Archive/\" patterns=[\"%\"] "
            "extended"},
           {"d LIST () \"\" \"*\" RETURN ()", "d LIST ref=\"\" patterns=[\"*\"] extended"},
           {"e LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE "
            "HIGHESTMODSEQ APPENDLIMIT))",
            "e LIST ref=\"\" patterns=[\"*\"] return=[STATUS(MESSAGES UIDNEXT UIDVALIDITY UNSEEN "
            "DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)] extended"},
           {"f list \"\" inbox.%]", "f LIST ref=\"\" patterns=[\"inbox.%]\"]"},
       }) {
    check(c);
  }
}

TEST(ImapParser, AppendVariants) {
  // MULTIAPPEND (RFC 3502) with literal8 (BINARY, RFC 3516) and UTF8 (RFC 6855).
  auto cmd = parse_wire(
      "A1 APPEND Drafts (\\Draft) {3+}\r\nabc (\\Seen $Forwarded) \"05-Feb-2024 13:05:00 -0700\" "
      "~{4+}\r\nx\0yz UTF8 (~{2+}\r\n\xc3\xa9)"s);
  ASSERT_TRUE(cmd.ok()) << cmd.error().message;
  EXPECT_EQ(describe(*cmd),
            "A1 APPEND mailbox=\"Drafts\" messages=[(flags=[\\Draft] size=3) (flags=[\\Seen "
            "$Forwarded] date=2024-02-05T13:05:00-0700 size=4 binary) (size=2 binary utf8)]");
  const auto& a = std::get<AppendArgs>(cmd->args);
  ASSERT_EQ(a.messages.size(), 3u);
  EXPECT_EQ(a.messages[0].data, "abc");
  EXPECT_EQ(a.messages[1].data, "x\0yz"s);
  EXPECT_EQ(a.messages[1].internal_date->unix_time(), 1707163500);
  EXPECT_EQ(a.messages[2].data, "\xc3\xa9");
  EXPECT_EQ(cmd->verb, Verb::kAppend);
}

TEST(ImapParser, TypedFields) {
  auto cmd = parse_wire(
      "T1 UID FETCH 1:*,$ (BODY[1.2.HEADER.FIELDS.NOT (Received)]<10.20> "
      "PREVIEW (LAZY) SAVEDATE) (CHANGEDSINCE 5)");
  ASSERT_TRUE(cmd.ok()) << cmd.error().message;
  EXPECT_EQ(cmd->tag, "T1");
  EXPECT_EQ(cmd->verb, Verb::kFetch);
  EXPECT_TRUE(cmd->uid);
  const auto& f = std::get<FetchArgs>(cmd->args);
  EXPECT_TRUE(f.set.search_result());
  EXPECT_EQ(f.set.ranges(), (std::vector<SeqRange>{{1, SeqRange::kStar}}));
  ASSERT_EQ(f.atts.size(), 3u);
  EXPECT_EQ(f.atts[0].kind, FetchAtt::Kind::kBodySection);
  EXPECT_FALSE(f.atts[0].peek);
  EXPECT_EQ(f.atts[0].section.part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(f.atts[0].section.text, Section::Text::kHeaderFieldsNot);
  EXPECT_EQ(f.atts[0].section.fields, std::vector<std::string>{"Received"});
  EXPECT_EQ(f.atts[0].partial_offset, 10u);
  EXPECT_EQ(f.atts[0].partial_count, 20u);
  EXPECT_EQ(f.atts[1].kind, FetchAtt::Kind::kPreview);
  EXPECT_TRUE(f.atts[1].preview_lazy);
  EXPECT_EQ(f.atts[2].kind, FetchAtt::Kind::kSaveDate);
  EXPECT_EQ(f.changed_since, 5u);
  EXPECT_FALSE(f.vanished);

  auto login = parse_wire("T2 LOGIN {3+}\r\nmjl {6+}\r\nse cr\"");
  ASSERT_TRUE(login.ok()) << login.error().message;
  EXPECT_EQ(std::get<LoginArgs>(login->args), (LoginArgs{"mjl", "se cr\""}));

  auto auth = parse_wire("T3 AUTHENTICATE plain =");
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(std::get<AuthenticateArgs>(auth->args), (AuthenticateArgs{"PLAIN", ""}));
  auto auth2 = parse_wire("T4 AUTHENTICATE PLAIN AG1qbABzZWNyZXQ=");
  ASSERT_TRUE(auth2.ok());
  EXPECT_EQ(std::get<AuthenticateArgs>(auth2->args).initial_response, "\0mjl\0secret"s);

  auto preview = parse_wire("T5 FETCH 1 PREVIEW (CHANGEDSINCE 7)");
  ASSERT_TRUE(preview.ok()) << preview.error().message;
  EXPECT_EQ(describe(*preview), "T5 FETCH set=1 atts=[PREVIEW] changedsince=7");

  EXPECT_EQ(command_name(Verb::kMove, true), "UID MOVE");
  EXPECT_EQ(command_name(Verb::kStartTls, false), "STARTTLS");
}

// QUOTA (RFC 9208 §4.3) as Thunderbird and imaplib send it, and STATUS
// DELETED-STORAGE (§4.2.2).
TEST(ImapParser, Quota) {
  for (const Case& c : std::initializer_list<Case>{
           {"1 GETQUOTAROOT \"INBOX\"", "1 GETQUOTAROOT mailbox=\"Inbox\""},
           {"2 getquotaroot Archive/2024", "2 GETQUOTAROOT mailbox=\"Archive/2024\""},
           {"3 GETQUOTA \"\"", "3 GETQUOTA root=\"\""},
           {"4 GETQUOTA user.mjl", "4 GETQUOTA root=\"user.mjl\""},
           {"5 SETQUOTA \"\" (STORAGE 512)", "5 SETQUOTA root=\"\" limits=[STORAGE 512]"},
           {"6 setquota {0+}\r\n (storage 1 message 2)",
            "6 SETQUOTA root=\"\" limits=[STORAGE 1 MESSAGE 2]"},
           {"7 SETQUOTA x ()", "7 SETQUOTA root=\"x\" limits=[]"},
           {"8 STATUS INBOX (DELETED DELETED-STORAGE)",
            "8 STATUS mailbox=\"Inbox\" items=(DELETED DELETED-STORAGE)"},
       }) {
    check(c);
  }
  auto set = parse_wire("9 SETQUOTA \"\" (STORAGE 9223372036854775807)");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(std::get<SetQuotaArgs>(set->args),
            (SetQuotaArgs{"", {{"STORAGE", 9223372036854775807ull}}}));
  auto root = parse_wire("10 GETQUOTAROOT inbox");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(std::get<MailboxArgs>(root->args), (MailboxArgs{"Inbox"}));
  EXPECT_EQ(command_name(Verb::kGetQuotaRoot, false), "GETQUOTAROOT");
  EXPECT_STREQ(status_item_name(StatusItem::kDeletedStorage), "DELETED-STORAGE");
}

TEST(ImapParser, MailboxNames) {
  ParseOptions rev1;
  ParseOptions rev2;
  rev2.utf8 = true;
  // RFC 3501 §5.1.3 example, decoded for an IMAP4rev1 client.
  check({"a SELECT \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"",
         "a SELECT mailbox=\"~peter/mail/\\xe5\\x8f\\xb0\\xe5\\x8c\\x97/"
         "\\xe6\\x97\\xa5\\xe6\\x9c\\xac\\xe8\\xaa\\x9e\""},
        rev1);
  // IMAP4rev2 / UTF8=ACCEPT: names are UTF-8, "&" is just "&".
  check({"b SELECT \"Tom & Jerry\"", "b SELECT mailbox=\"Tom & Jerry\""}, rev2);
  check({"c CREATE \"Entw\xc3\xbcrfe\"", "c CREATE mailbox=\"Entw\\xc3\\xbcrfe\""}, rev2);
  // A UTF-8 name from a client that did not enable it is taken as UTF-8.
  check({"d CREATE \"Entw\xc3\xbcrfe\"", "d CREATE mailbox=\"Entw\\xc3\\xbcrfe\""}, rev1);
  check({"e CREATE Entw&APw-rfe", "e CREATE mailbox=\"Entw\\xc3\\xbcrfe\""}, rev1);
  check({"e2 CREATE Entw&APw-rfe", "e2 CREATE mailbox=\"Entw&APw-rfe\""}, rev2);
  // INBOX in any case, also as the first level.
  check({"f SELECT inbox", "f SELECT mailbox=\"Inbox\""});
  check({"g SELECT InBoX/Sub", "g SELECT mailbox=\"Inbox/Sub\""});
  check({"h SELECT Inboxes", "h SELECT mailbox=\"Inboxes\""});
  check({"i COPY 1 \"INBOX\"", "i COPY set=1 mailbox=\"Inbox\""});
  // LIST references and patterns are decoded but keep their case.
  check({"j LIST \"\" \"&ZeVnLIqe-/%\"",
         "j LIST ref=\"\" patterns=[\"\\xe6\\x97\\xa5\\xe6\\x9c\\xac\\xe8\\xaa\\x9e/%\"]"},
        rev1);
  check({"k LIST \"\" inbox", "k LIST ref=\"\" patterns=[\"inbox\"]"});
  // Literal mailbox names.
  check({"l SELECT {5+}\r\nINBOX", "l SELECT mailbox=\"Inbox\""});
  check({"m RENAME {1}\r\na {1}\r\nb", "m RENAME from=\"a\" to=\"b\""});
  // "~" is an ATOM-CHAR; only "~{" starts a literal8.
  check({"n SELECT ~peter/mail/&U,BTFw-",
         "n SELECT mailbox=\"~peter/mail/\\xe5\\x8f\\xb0\\xe5\\x8c\\x97\""},
        rev1);
  check({"o LIST ~ ~%", "o LIST ref=\"~\" patterns=[\"~%\"]"});
  // A name that is not valid modified UTF-7 breaks no grammar rule: the
  // command parses with the name as sent, and the server answers NO (RFC 3501
  // §5.1.3); as a LIST/LSUB pattern or reference it matches nothing.
  check({"p SELECT \"&Jjo\"",
         "p SELECT mailbox=\"&Jjo\" invalid-name=\"unterminated modified UTF-7 shift\""},
        rev1);
  check({"q CREATE &AGE-",
         "q CREATE mailbox=\"&AGE-\" invalid-name=\"modified UTF-7 shift encodes printable "
         "US-ASCII (RFC 3501 \\xc2\\xa75.1.3)\""},
        rev1);
  check({"r SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}",
         "r SELECT mailbox=\"!#$&'+,-.0123456789:;<=>?@^_`|[}\" invalid-name=\"invalid "
         "character in modified UTF-7 shift (RFC 3501 \\xc2\\xa75.1.3)\""},
        rev1);
  check({"s LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*", "s LIST ref=\"\" patterns=[]"}, rev1);
  check({"t LIST \"\" (a &Jjo b)", "t LIST ref=\"\" patterns=[\"a\" \"b\"] extended"}, rev1);
  check({"u LIST &Jjo (a b)", "u LIST ref=\"\" patterns=[] extended"}, rev1);
  check({"v LSUB \"\" &Jjo", "v LSUB ref=\"\" pattern=\"\" matches-nothing"}, rev1);
  // With UTF-8 names (rev2) "&" is just a character.
  check({"w SELECT &Jjo", "w SELECT mailbox=\"&Jjo\""}, rev2);
  auto mb = decode_mailbox("iNbOx", rev1);
  ASSERT_TRUE(mb.ok());
  EXPECT_EQ(*mb, "Inbox");
}

TEST(ImapParser, SortAndThread) {
  for (const Case& c : std::initializer_list<Case>{
           {"1 sort (reverse date subject) utf-8 all",
            "1 SORT criteria=[REVERSE DATE SUBJECT] charset=UTF-8 keys=[ALL]"},
           {"2 UID SORT (ARRIVAL CC FROM SIZE TO DISPLAYFROM REVERSE DISPLAYTO) \"us-ascii\" "
            "undeleted since 1-Feb-2024",
            "2 UID SORT criteria=[ARRIVAL CC FROM SIZE TO DISPLAYFROM REVERSE DISPLAYTO] "
            "charset=US-ASCII keys=[UNDELETED SINCE 2024-02-01]"},
           {"3 sort return (min max all count) (arrival) us-ascii 1:5",
            "3 SORT criteria=[ARRIVAL] return=[MIN MAX ALL COUNT] charset=US-ASCII keys=[SEQ 1:5]"},
           {"4 sort return () (size) utf-8 all",
            "4 SORT criteria=[SIZE] return=[] charset=UTF-8 keys=[ALL]"},
           {"5 thread orderedsubject utf-8 all",
            "5 THREAD algorithm=ORDEREDSUBJECT charset=UTF-8 keys=[ALL]"},
           {"6 UID THREAD REFERENCES US-ASCII SUBJECT x",
            "6 UID THREAD algorithm=REFERENCES charset=US-ASCII keys=[SUBJECT \"x\"]"},
       }) {
    check(c);
  }
  for (const char* wire :
       {"t sort () utf-8 all", "t sort (date) all", "t sort (bogus) utf-8 all",
        "t sort (reverse) utf-8 all", "t sort date utf-8 all", "t thread bogus utf-8 all",
        "t thread references utf-8", "t sort return (bogus) (date) utf-8 all"}) {
    EXPECT_FALSE(parse_wire(wire).ok()) << wire;
  }
}

TEST(ImapParser, EveryVerb) {
  // Each verb once more, to be sure the table routes it; lower case names.
  const std::pair<const char*, Verb> cases[] = {
      {"t capability", Verb::kCapability},
      {"t noop", Verb::kNoop},
      {"t logout", Verb::kLogout},
      {"t starttls", Verb::kStartTls},
      {"t authenticate x", Verb::kAuthenticate},
      {"t login a b", Verb::kLogin},
      {"t enable x", Verb::kEnable},
      {"t select a", Verb::kSelect},
      {"t examine a", Verb::kExamine},
      {"t create a", Verb::kCreate},
      {"t delete a", Verb::kDelete},
      {"t rename a b", Verb::kRename},
      {"t subscribe a", Verb::kSubscribe},
      {"t unsubscribe a", Verb::kUnsubscribe},
      {"t list a b", Verb::kList},
      {"t lsub a b", Verb::kLsub},
      {"t namespace", Verb::kNamespace},
      {"t status a (size)", Verb::kStatus},
      {"t append a {0+}\r\n", Verb::kAppend},
      {"t idle", Verb::kIdle},
      {"t check", Verb::kCheck},
      {"t close", Verb::kClose},
      {"t unselect", Verb::kUnselect},
      {"t expunge", Verb::kExpunge},
      {"t search all", Verb::kSearch},
      {"t fetch 1 uid", Verb::kFetch},
      {"t store 1 flags x", Verb::kStore},
      {"t copy 1 a", Verb::kCopy},
      {"t move 1 a", Verb::kMove},
      {"t id nil", Verb::kId},
      {"t getquota \"\"", Verb::kGetQuota},
      {"t getquotaroot a", Verb::kGetQuotaRoot},
      {"t setquota a ()", Verb::kSetQuota},
      {"t esearch all", Verb::kEsearch},
      {"t cancelupdate \"a\"", Verb::kCancelUpdate},
      {"t sort (date) utf-8 all", Verb::kSort},
      {"t thread references utf-8 all", Verb::kThread},
  };
  for (const auto& [wire, verb] : cases) {
    auto cmd = parse_wire(wire);
    ASSERT_TRUE(cmd.ok()) << wire << ": " << cmd.error().message;
    EXPECT_EQ(cmd->verb, verb) << wire;
    EXPECT_FALSE(cmd->uid);
  }
}

// CATENATE (RFC 4469 §5), REPLACE (RFC 8508 §6), GETMETADATA/SETMETADATA
// (RFC 5464 §5).
TEST(ImapParser, CatenateReplaceMetadata) {
  for (const Case& c : std::initializer_list<Case>{
           {"1 APPEND Drafts (\\Seen) CATENATE (URL "
            "\"/Inbox;UIDVALIDITY=7/;UID=3/;SECTION=HEADER\" "
            "TEXT {5}\r\nhello)",
            "1 APPEND mailbox=\"Drafts\" messages=[(flags=[\\Seen] "
            "catenate=[url=\"/Inbox;UIDVALIDITY=7/;UID=3/;SECTION=HEADER\" text=\"hello\"])]"},
           {"2 APPEND x CATENATE (TEXT {1+}\r\na) CATENATE (URL \";UID=1\") {2+}\r\nbc",
            "2 APPEND mailbox=\"x\" messages=[(catenate=[text=\"a\"]) (catenate=[url=\";UID=1\"]) "
            "(size=2)]"},
           {"3 REPLACE 4 Drafts {3+}\r\nabc",
            "3 REPLACE number=4 mailbox=\"Drafts\" message=(size=3)"},
           {"4 UID REPLACE 20 Drafts (\\Draft) CATENATE (TEXT {1+}\r\nx)",
            "4 UID REPLACE number=20 mailbox=\"Drafts\" message=(flags=[\\Draft] "
            "catenate=[text=\"x\"])"},
           {"5 GETMETADATA \"\" /shared/comment",
            "5 GETMETADATA mailbox=\"\" depth=0 entries=[\"/shared/comment\"]"},
           {"6 GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/private/a /shared/b)",
            "6 GETMETADATA mailbox=\"Inbox\" maxsize=1024 depth=infinity "
            "entries=[\"/private/a\" \"/shared/b\"]"},
           {"7 SETMETADATA INBOX (/private/comment \"my\" /shared/x NIL /shared/y {2+}\r\nab)",
            "7 SETMETADATA mailbox=\"Inbox\" entries=[\"/private/comment\"=\"my\" "
            "\"/shared/x\"=NIL \"/shared/y\"=\"ab\"]"},
       }) {
    check(c);
  }
  for (const char* bad :
       {"1 APPEND x CATENATE ()", "2 APPEND x CATENATE (FOO \"x\")", "3 REPLACE * x {1+}\r\na",
        "4 GETMETADATA (DEPTH 2) x /a", "5 SETMETADATA x /a", "6 APPEND x CATENATE (TEXT \"x\")"}) {
    EXPECT_FALSE(parse_wire(bad).ok()) << bad;
  }
}

TEST(ImapUrl, Forms) {
  auto u =
      parse_imap_url("/Inbox;UIDVALIDITY=7/;UID=3/;SECTION=HEADER.FIELDS%20(From)/;PARTIAL=1.2");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->mailbox, "Inbox");
  EXPECT_EQ(u->uidvalidity, 7u);
  EXPECT_EQ(u->uid, 3u);
  EXPECT_EQ(u->section, "HEADER.FIELDS (From)");
  EXPECT_EQ(u->partial_offset, 1u);
  EXPECT_EQ(u->partial_length, 2u);
  u = parse_imap_url("imap://mjl@mail.example.com/a%2Fb/c/;uid=5");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->mailbox, "a/b/c");
  EXPECT_EQ(u->uid, 5u);
  EXPECT_FALSE(u->uidvalidity);
  u = parse_imap_url(";UID=9/;SECTION=1.2");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->mailbox);
  EXPECT_EQ(u->section, "1.2");
  u = parse_imap_url("/inbox/;UID=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->mailbox, "Inbox");
  for (const char* bad : {"/Inbox", "/Inbox/;UID=x", "/Inbox/;UID=1/;URLAUTH=anonymous",
                          "/Inbox/;UID=0", "/In%zzbox/;UID=1", "/Inbox/;UID=1/;PARTIAL=1.0"}) {
    EXPECT_FALSE(parse_imap_url(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mox::imap
