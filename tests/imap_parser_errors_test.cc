// Tests for lib/imap/parser.*: malformed commands get a syntax error (BAD)
// with the tag when there is one and a message that says what is wrong.
#include <gtest/gtest.h>

#include "imap/parser.h"

namespace mox::imap {
namespace {

using namespace std::string_literals;

struct Bad {
  std::string wire;     // without the final CRLF
  std::string message;  // the whole error message
  bool utf8 = false;
};

Result<Command> parse_wire(const std::string& wire, ParseOptions o) {
  Reader r;
  r.feed(wire + "\r\n");
  while (true) {
    ReadEvent ev = r.next();
    if (ev.kind == ReadEvent::Kind::kLiteral) {
      r.accept_literal();
      continue;
    }
    if (ev.kind != ReadEvent::Kind::kCommand) return internal_error("no command");
    return parse_command(std::move(ev.command), o);
  }
}

TEST(ImapParserErrors, BadWithMessages) {
  const Bad cases[] = {
      {"", "missing or invalid tag (RFC 9051 §9 tag) at the end of the command"},
      {"+ NOOP", "missing or invalid tag (RFC 9051 §9 tag) near \"+ NOOP\""},
      {"A1", "expected a space after the tag at the end of the command"},
      {"A1  NOOP", "expected a command name near \" NOOP\""},
      {"A1 FOO", "unknown command FOO"},
      {"A1 UID LIST \"\" *", "unknown command UID LIST"},
      {"A1 UID", "expected a command after UID at the end of the command"},
      {"A1 NOOP extra", "unexpected text after the command near \" extra\""},
      {"A1 NOOP {3+}\r\nabc", "unexpected text after the command near \" {3+}\""},
      {"A1 FETCH", "expected a space at the end of the command"},
      {"A1 FETCH 1:* (FLAGS", "expected ')' at the end of the command"},
      {"A1 FETCH 0 FLAGS", "invalid sequence number (RFC 9051 §9 nz-number) in \"0\""},
      {"A1 FETCH 1 FOO", "unknown FETCH data item FOO"},
      {"A1 FETCH 1 ()", "expected a FETCH data item near \")\""},
      {"A1 FETCH 1 BODY[MIME]", "invalid section, expected e.g. HEADER, TEXT, 1.2.MIME near \"]\""},
      {"A1 FETCH 1 BODY[1.0]", "expected a number above 0 near \"]\""},
      {"A1 FETCH 1 BODY[HEADER.FIELDS ()]", "expected an atom or a string near \")]\""},
      {"A1 FETCH 1 BODY[HEADER.FIELDS (\"a b\")]", "invalid header field name in HEADER.FIELDS"},
      {"A1 FETCH 1 BODY[]<0.0>", "partial <offset.count> needs a count above 0"},
      {"A1 FETCH 1 BINARY[TEXT]", "expected a number near \"TEXT]\""},
      {"A1 FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)", "VANISHED is only allowed with UID FETCH"},
      {"A1 UID FETCH 1 FLAGS (VANISHED)", "VANISHED needs CHANGEDSINCE"},
      {"A1 UID FETCH 1 FLAGS (FOO)", "unknown FETCH modifier near \"FOO)\""},
      {"A1 FETCH 1 PREVIEW (FUZZY)", "unknown FETCH modifier near \"FUZZY)\""},
      {"A1 STORE 1 XFLAGS (\\Seen)",
       "expected FLAGS, +FLAGS or -FLAGS (with .SILENT) near \"XFLAGS (\\Seen)\""},
      {"A1 STORE 1 FLAGS (\\Seen", "expected a space at the end of the command"},
      {"A1 STORE 1 FLAGS \\*", "expected a flag near \"*\""},
      {"A1 STORE 1 (UNCHANGEDSINCE x) FLAGS ()", "expected a number near \"x) FLAGS ()\""},
      {"A1 SEARCH", "expected a space at the end of the command"},
      {"A1 SEARCH FOO", "unknown search key FOO"},
      {"A1 SEARCH SINCE 31-Feb-2024", "invalid date: no such day in that month"},
      {"A1 SEARCH SINCE 2024-02-01", "invalid date, expected e.g. 1-Feb-2024 (RFC 9051 §9 date)"},
      {"A1 SEARCH (SEEN", "expected ')' at the end of the command"},
      {"A1 SEARCH ()", "expected a search key near \")\""},
      {"A1 SEARCH OR SEEN", "expected a space at the end of the command"},
      {"A1 SEARCH UID 1:2:3", "invalid sequence number (RFC 9051 §9 nz-number) in \"1:2:3\""},
      {"A1 SEARCH MODSEQ \"/foo\" all 5",
       "MODSEQ entry name must be \"/flags/<flag>\" (RFC 7162 §3.1.5)"},
      {"A1 SEARCH MODSEQ \"/flags/\\\\seen\" any 5", "expected priv, shared or all near \"any 5\""},
      {"A1 SEARCH RETURN (FOO) ALL", "unknown SEARCH return option near \"FOO) ALL\""},
      {"A1 SEARCH CHARSET", "expected a space at the end of the command"},
      {"A1 SEARCH OLDER 0", "expected a number above 0 at the end of the command"},
      {"A1 SEARCH LARGER 9223372036854775808", "number above 2^63-1"},
      {"A1 SEARCH " + std::string(70, '(') + "ALL" + std::string(70, ')'),
       "search program nested too deeply near \"(((((ALL))))))))))))...\""},
      {"A1 LOGIN \"unterminated", "unterminated quoted string at the end of the command"},
      {"A1 LOGIN \"a\\b\" x",
       "only \\\" and \\\\ may be escaped in a quoted string near \"b\" x\""},
      {"A1 LOGIN a", "expected a space at the end of the command"},
      {"A1 LOGIN {3+}\r\na\0b x"s,
       "NUL in a literal (RFC 9051 §4.3); binary data needs literal8 ~{n} near \"{3+}\""},
      {"A1 LOGIN ~{1+}\r\nx y", "literal8 ~{n} is only allowed in APPEND near \"~{1+}\""},
      {"A1 LOGIN \"a\rb\" c", "control character in quoted string; use a literal near \"?b\" c\""},
      {"A1 AUTHENTICATE", "expected a space at the end of the command"},
      {"A1 AUTHENTICATE PLAIN !!!", "expected a base64 initial response near \"!!!\""},
      {"A1 AUTHENTICATE PLAIN abc", "invalid base64 in the initial response"},
      {"A1 ENABLE", "expected a space at the end of the command"},
      {"A1 ENABLE  X", "expected an atom near \" X\""},
      {"A1 SELECT \"\xff\"", "mailbox name is not valid UTF-8", true},
      {"A1 SELECT INBOX (FOO)", "unknown SELECT parameter near \"FOO)\""},
      {"A1 SELECT INBOX (QRESYNC (1 2 1:*))",
       "\"*\" and \"$\" are not allowed in QRESYNC sets (RFC 7162 §3.2.5)"},
      {"A1 SELECT INBOX (QRESYNC (0 2))", "expected a number above 0 near \" 2))\""},
      {"A1 SELECT INBOX (QRESYNC (1 2 (1:3)))", "expected a space near \")))\""},
      {"A1 CREATE x (USE (Drafts))",
       "expected a special-use attribute like \\Drafts near \"Drafts))\""},
      {"A1 CREATE x (FOO)", "unknown CREATE parameter near \"FOO)\""},
      {"A1 STATUS INBOX (FOO)", "unknown STATUS item near \"FOO)\""},
      {"A1 STATUS INBOX ()", "unknown STATUS item near \")\""},
      {"A1 STATUS INBOX MESSAGES", "expected '(' near \"MESSAGES\""},
      {"A1 LIST (RECURSIVEMATCH) \"\" \"*\"",
       "RECURSIVEMATCH needs another selection option (RFC 5258 §3.1)"},
      {"A1 LIST (FOO) \"\" \"*\"", "unknown LIST selection option near \"FOO) \"\" \"*\"\""},
      {"A1 LIST \"\" \"*\" RETURN (FOO)", "unknown LIST return option near \"FOO)\""},
      {"A1 LIST \"\" \"*\" FOO", "expected RETURN near \"FOO\""},
      {"A1 LIST \"\" ()", "expected a mailbox pattern near \")\""},
      {"A1 APPEND INBOX", "expected a space at the end of the command"},
      {"A1 APPEND INBOX (\\Seen)", "expected a space at the end of the command"},
      {"A1 APPEND INBOX \"hello\"",
       "invalid date-time, expected e.g. \"05-Feb-2024 13:05:00 +0100\" (RFC 9051 §9)"},
      {"A1 APPEND INBOX (\\Seen) \"05-Feb-2024 25:00:00 +0100\" {1+}\r\nx",
       "invalid date-time: out of range"},
      {"A1 APPEND INBOX hello", "expected the message as a literal {n} near \"hello\""},
      {"A1 APPEND INBOX UTF8 ({1+}\r\nx)", "expected a literal8 ~{n} after UTF8 ( near \"{1+}\""},
      {"A1 APPEND INBOX {1+}\r\nx ",
       "expected the message as a literal {n} at the end of the command"},
      {"A1 LOGIN a b {3+}\r\nabc", "unexpected text after the command near \" {3+}\""},
      {"A1 EXPUNGE 1", "unexpected text after the command near \" 1\""},
      {"A1 UID EXPUNGE", "expected a space at the end of the command"},
      {"A1 COPY 1", "expected a space at the end of the command"},
      {"A1 ID (\"a\")", "expected a space near \")\""},
      {"A1 ID (a b)", "expected a string near \"a b)\""},
      {"A1 GETQUOTA", "expected a space at the end of the command"},
      {"A1 GETQUOTAROOT", "expected a space at the end of the command"},
      {"A1 GETQUOTA a b", "unexpected text after the command near \" b\""},
      {"A1 UID GETQUOTA a", "unknown command UID GETQUOTA"},
      {"A1 SETQUOTA a", "expected a space at the end of the command"},
      {"A1 SETQUOTA a STORAGE 1", "expected '(' near \"STORAGE 1\""},
      {"A1 SETQUOTA a (STORAGE)", "expected a space near \")\""},
      {"A1 SETQUOTA a (STORAGE x)", "expected a number near \"x)\""},
      {"A1 SETQUOTA a (STORAGE 1", "expected ')' at the end of the command"},
      {"A1 SETQUOTA a (STORAGE 9223372036854775808)", "number above 2^63-1"},
      {"A1 STATUS INBOX (DELETED-STORAGEX)", "unknown STATUS item near \"DELETED-STORAGEX)\""},
  };
  for (const Bad& b : cases) {
    ParseOptions o;
    o.utf8 = b.utf8;
    Result<Command> cmd = parse_wire(b.wire, o);
    ASSERT_FALSE(cmd.ok()) << b.wire;
    EXPECT_EQ(cmd.error().kind, ErrorKind::kSyntax) << b.wire;
    EXPECT_EQ(cmd.error().message, b.message) << b.wire;
  }
}

TEST(ImapParserErrors, HandBuiltRawCommands) {
  EXPECT_FALSE(parse_command(RawCommand{}, {}).ok());
  EXPECT_FALSE(parse_command(RawCommand{"A", {"A LOGIN {3}"}, {}}, {}).ok());
  // The literal does not have the announced size.
  auto r = parse_command(RawCommand{"A", {"A LOGIN {3}", " x"}, {"ab"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "literal size does not match its announcement near \"{3}\"");
}

}  // namespace
}  // namespace mox::imap
