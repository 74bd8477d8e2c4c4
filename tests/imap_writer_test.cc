// Tests for lib/imap/writer.*: quoted string or literal, astring/nstring,
// flag lists, compact sequence sets, mailbox names per client mode, FETCH
// item names, and whole responses from the builder.
#include <gtest/gtest.h>

#include "imap/writer.h"

namespace mox::imap {
namespace {

using namespace std::string_literals;

std::string str(std::string_view s, bool utf8 = false) {
  std::string out;
  append_string(out, s, utf8);
  return out;
}

std::string astr(std::string_view s, bool utf8 = false) {
  std::string out;
  append_astring(out, s, utf8);
  return out;
}

TEST(ImapWriter, QuotedOrLiteral) {
  EXPECT_EQ(str("abc"), "\"abc\"");
  EXPECT_EQ(str(""), "\"\"");
  EXPECT_EQ(str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(str("a\r\nb"), "{4}\r\na\r\nb");
  // NUL is in neither quoted nor literal (RFC 9051 §9 CHAR8): left out.
  EXPECT_EQ(str("a\0b"s), "\"ab\""s);
  // 8-bit: a literal for IMAP4rev1, quoted UTF-8 for IMAP4rev2 / UTF8=ACCEPT.
  EXPECT_EQ(str("caf\xc3\xa9"), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(str("caf\xc3\xa9", true), "\"caf\xc3\xa9\"");
  EXPECT_EQ(str("caf\xe9", true), "{4}\r\ncaf\xe9");  // not UTF-8
  std::string long_text(1025, 'x');
  EXPECT_EQ(str(long_text), "{1025}\r\n" + long_text);
  EXPECT_EQ(str(std::string(1024, 'x')), "\"" + std::string(1024, 'x') + "\"");
}

TEST(ImapWriter, AstringAndNstring) {
  EXPECT_EQ(astr("INBOX"), "INBOX");
  EXPECT_EQ(astr("a]b"), "a]b");  // ASTRING-CHAR includes "]"
  EXPECT_EQ(astr(""), "\"\"");
  EXPECT_EQ(astr("a b"), "\"a b\"");
  EXPECT_EQ(astr("a%"), "\"a%\"");
  EXPECT_EQ(astr("nil"), "\"nil\"");
  EXPECT_EQ(astr("{5}"), "\"{5}\"");
  std::string out;
  append_nstring(out, std::nullopt, false);
  out += ' ';
  append_nstring(out, std::string("NIL"), false);
  EXPECT_EQ(out, "NIL \"NIL\"");
}

TEST(ImapWriter, FlagsAndSequenceSets) {
  std::string out;
  append_flag_list(out, {"\\Seen", "\\Answered", "$Forwarded"});
  EXPECT_EQ(out, "(\\Seen \\Answered $Forwarded)");
  out.clear();
  append_flag_list(out, {});
  EXPECT_EQ(out, "()");
  EXPECT_EQ(sequence_set_string({5, 1, 2, 3, 7, 8, 8}), "1:3,5,7:8");
  EXPECT_EQ(sequence_set_string({42}), "42");
  EXPECT_EQ(sequence_set_string({}), "");
}

TEST(ImapWriter, Mailboxes) {
  auto mb = [](std::string_view name, bool utf8) {
    std::string out;
    append_mailbox(out, name, utf8);
    return out;
  };
  EXPECT_EQ(mb("Inbox", false), "INBOX");
  EXPECT_EQ(mb("Inbox/Sub folder", false), "\"INBOX/Sub folder\"");
  EXPECT_EQ(mb("Inboxes", false), "Inboxes");
  EXPECT_EQ(mb("Tom & Jerry", false), "\"Tom &- Jerry\"");
  EXPECT_EQ(mb("Entw\xc3\xbcrfe", false), "Entw&APw-rfe");
  EXPECT_EQ(mb("Entw\xc3\xbcrfe", true), "\"Entw\xc3\xbcrfe\"");
  EXPECT_EQ(mb("Tom & Jerry", true), "\"Tom & Jerry\"");
  EXPECT_EQ(mb("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97", false), "~peter/mail/&U,BTFw-");
}

TEST(ImapWriter, FetchItemNames) {
  FetchAtt a;
  a.kind = FetchAtt::Kind::kBodySection;
  a.peek = true;
  a.section.text = Section::Text::kHeaderFields;
  a.section.fields = {"From", "To"};
  a.partial_offset = 100;
  a.partial_count = 50;
  EXPECT_EQ(fetch_item_name(a), "BODY[HEADER.FIELDS (From To)]<100>");
  FetchAtt b;
  b.kind = FetchAtt::Kind::kBinary;
  b.peek = true;
  b.section.part = {1, 2};
  EXPECT_EQ(fetch_item_name(b), "BINARY[1.2]");
  b.kind = FetchAtt::Kind::kBinarySize;
  EXPECT_EQ(fetch_item_name(b), "BINARY.SIZE[1.2]");
  FetchAtt c;
  c.kind = FetchAtt::Kind::kBodySection;
  c.section.part = {3};
  c.section.text = Section::Text::kMime;
  EXPECT_EQ(fetch_item_name(c), "BODY[3.MIME]");
  c.section = {};
  EXPECT_EQ(fetch_item_name(c), "BODY[]");
  FetchAtt d;
  d.kind = FetchAtt::Kind::kRfc822Size;
  EXPECT_EQ(fetch_item_name(d), "RFC822.SIZE");
}

TEST(ImapWriter, Responses) {
  ResponseWriter w;
  w.untagged().number(3).atom("EXISTS").end();
  w.untagged().status(Condition::kOk, "UIDVALIDITY 1234", "UIDs valid").end();
  w.untagged().atom("FLAGS").flags({"\\Answered", "\\Seen"}).end();
  w.untagged()
      .atom("LIST")
      .open()
      .atom("\\HasNoChildren")
      .close()
      .string("/")
      .mailbox("Inbox")
      .end();
  w.untagged().number(1).atom("FETCH").open().atom("UID").number(5).atom("BODY[]").literal("hello");
  w.close().end();
  w.untagged().atom("ID").open().string("name").string("mox").close().end();
  w.untagged().atom("STATUS").mailbox("Sent").open().atom("MESSAGES").number(2).close().end();
  w.tagged("A1").status(Condition::kOk, "READ-WRITE", "SELECT completed").end();
  w.continuation().text("Ready").end();
  EXPECT_EQ(w.take(),
            "* 3 EXISTS\r\n"
            "* OK [UIDVALIDITY 1234] UIDs valid\r\n"
            "* FLAGS (\\Answered \\Seen)\r\n"
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
            "* 1 FETCH (UID 5 BODY[] {5}\r\nhello)\r\n"
            "* ID (\"name\" \"mox\")\r\n"
            "* STATUS Sent (MESSAGES 2)\r\n"
            "A1 OK [READ-WRITE] SELECT completed\r\n"
            "+ Ready\r\n");
  EXPECT_EQ(w.str(), "");
}

TEST(ImapWriter, StatusLines) {
  EXPECT_EQ(status_line("A1", Condition::kNo, "TRYCREATE", "no such mailbox"),
            "A1 NO [TRYCREATE] no such mailbox\r\n");
  EXPECT_EQ(status_line("", Condition::kBad, "", "bad\r\nline\x01"), "* BAD bad  line \r\n");
  EXPECT_EQ(status_line("", Condition::kBye, "", ""), "* BYE done\r\n");
  EXPECT_EQ(status_line("x", Condition::kBad, "", "caf\xe9"), "x BAD caf\xef\xbf\xbd\r\n");
  ResponseWriter w(true);
  w.untagged().atom("LIST").open().close().string("/").mailbox("Entw\xc3\xbcrfe").end();
  EXPECT_EQ(w.take(), "* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n");
  ResponseWriter b;
  b.untagged().number(2).atom("FETCH").open().atom("BINARY[1]");
  b.literal8("a\0b"s).close().end();
  EXPECT_EQ(b.take(), "* 2 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n"s);
}

}  // namespace
}  // namespace mox::imap
