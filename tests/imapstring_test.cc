// Tests for lib/imapstring/imapstring.*: the one IMAP string quoter (RFC 9051
// §4.3, §9): quoted or literal by NUL, CR/LF, 8-bit and length.
#include "imapstring/imapstring.h"

#include <gtest/gtest.h>

namespace mox::imapstring {
namespace {

using namespace std::string_literals;

TEST(ImapString, QuotedWithEscapes) {
  EXPECT_EQ(string_form("", false), "\"\"");
  EXPECT_EQ(string_form("tab\there", false), "\"tab\there\"");
  EXPECT_EQ(string_form("say \"hi\" \\o/", false), "\"say \\\"hi\\\" \\\\o/\"");
}

TEST(ImapString, CrLfGoInLiterals) {
  EXPECT_FALSE(quotable("a\rb", true));
  EXPECT_FALSE(quotable("a\nb", true));
  EXPECT_EQ(string_form("a\r\nb", false), "{4}\r\na\r\nb");
  EXPECT_EQ(string_form("a\nb", true), "{3}\r\na\nb");
}

TEST(ImapString, NulIsLeftOut) {
  // CHAR8 (literal) and QUOTED-CHAR both exclude %x00.
  EXPECT_FALSE(quotable("a\0b"s, true));
  EXPECT_EQ(string_form("a\0b"s, false), "\"ab\"");
  EXPECT_EQ(string_form("\0"s, false), "\"\"");
  EXPECT_EQ(string_form("\xff\0"s, false), "{1}\r\n\xff");
  EXPECT_EQ(string_form("a\0\r\n"s, true), "{3}\r\na\r\n");
}

TEST(ImapString, EightBitNeedsUtf8Accept) {
  EXPECT_EQ(string_form("caf\xc3\xa9", false), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(string_form("caf\xc3\xa9", true), "\"caf\xc3\xa9\"");
  // Not UTF-8: a literal even with UTF8=ACCEPT.
  EXPECT_EQ(string_form("caf\xe9", true), "{4}\r\ncaf\xe9");
}

TEST(ImapString, LongStringsAreLiterals) {
  std::string max(kMaxQuoted, 'x'), over(kMaxQuoted + 1, 'x');
  EXPECT_TRUE(quotable(max, false));
  EXPECT_EQ(string_form(max, false), "\"" + max + "\"");
  EXPECT_FALSE(quotable(over, true));
  EXPECT_EQ(string_form(over, true), "{1025}\r\n" + over);
  // The limit counts what is sent: NULs left out first.
  EXPECT_EQ(string_form(max + "\0"s, false), "\"" + max + "\"");
}

TEST(ImapString, Nstring) {
  EXPECT_EQ(nstring_form(std::nullopt, false), "NIL");
  EXPECT_EQ(nstring_form("NIL", false), "\"NIL\"");
  std::string out = "x ";
  append_nstring(out, std::string_view("y"), true);
  EXPECT_EQ(out, "x \"y\"");
}

}  // namespace
}  // namespace mox::imapstring
