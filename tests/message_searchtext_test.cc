// Tests for lib/message/searchtext.h: decoded header values and text bodies
// for IMAP SEARCH (RFC 9051 §6.4.4) and the full-text index.
#include <gtest/gtest.h>

#include "message/mime.h"
#include "message/searchtext.h"
#include "message_test_util.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

using testing::corpus;

SearchText extract(const std::string& m, const SearchLimits& limits = {}) {
  return extract_search_text(m, parse_message(m), limits);
}

std::string header(const SearchText& t, std::string_view name) {
  for (const SearchField& f : t.headers) {
    if (f.name == name) return f.value;
  }
  return "<absent>";
}

// SEARCH FROM user@domain finds an address that comments or quoting split:
// its parts follow the value as written.
TEST(SearchText, AddressPartsAfterTheValue) {
  SearchText t = extract(
      "From: <user-from (comment)@ (comment) domain.org>\r\n"
      "To: \"Real \\\"Q\\\" Name\" <a@b.example>, group: \"x y\"@c.example;\r\n"
      "Cc: plain@d.example (Plain)\r\nSubject: <s (c)@ t.example>\r\n\r\nbody\r\n");
  EXPECT_EQ(header(t, "from"), "<user-from (comment)@ (comment) domain.org> user-from@domain.org");
  EXPECT_EQ(header(t, "to"),
            "\"Real \\\"Q\\\" Name\" <a@b.example>, group: \"x y\"@c.example; Real \"Q\" Name");
  EXPECT_EQ(header(t, "cc"), "plain@d.example (Plain)");
  EXPECT_EQ(header(t, "subject"), "<s (c)@ t.example>");  // not an address field
}

TEST(SearchText, EncodedWordsAndQuotedPrintable) {
  SearchText t = extract(corpus("utf8_subject.eml"));
  EXPECT_EQ(header(t, "subject"),
            "Gr\xc3\xbc\xc3\x9f"
            "e aus M\xc3\xbcnchen");
  EXPECT_EQ(header(t, "from"), "J\xc3\xb6rg M\xc3\xbcller <joerg@example.de>");
  EXPECT_EQ(header(t, "cc"), "Ren\xc3\xa9 <rene@example.fr>");
  EXPECT_EQ(header(t, "mime-version"), "1.0");
  EXPECT_EQ(t.body,
            "Gr\xc3\xbc\xc3\x9f"
            "e aus M\xc3\xbcnchen, mit einer sehr langen Zeile, die "
            "weich umbrochen wird.\r\n\n");
  EXPECT_FALSE(t.truncated);
}

TEST(SearchText, Latin1) {
  SearchText t = extract(corpus("latin1.eml"));
  EXPECT_EQ(header(t, "subject"), "caf\xc3\xa9 cr\xc3\xa8me");  // undeclared: windows-1252
  EXPECT_EQ(
      t.body,
      "Un caf\xc3\xa9 cr\xc3\xa8me, s'il vous pla\xc3\xaet.\r\n\xc3\x80 bient\xc3\xb4t.\r\n\n");
}

TEST(SearchText, TextPartsOnly) {
  SearchText t = extract(corpus("mixed_attachment.eml"));
  EXPECT_EQ(t.body, "See the report.\n");  // the PDF is not text
  SearchText a = extract(corpus("alternative.eml"));
  EXPECT_EQ(a.body, "Hello *world*.\r\n\n<p>Hello <b>world</b>.</p>\r\n\n");
  SearchText lf = extract(corpus("bare_lf.eml"));
  EXPECT_EQ(lf.body, "line one\nline two\ncaf\xc3\xa9\n");
}

TEST(SearchText, AttachedMessage) {
  SearchText t = extract(corpus("forward.eml"));
  EXPECT_EQ(header(t, "subject"), "Fwd: lunch");
  EXPECT_EQ(t.body,
            "See below.\r\n\n"
            "From: Grace <grace@example.org>\n"
            "To: Eve <eve@example.com>\n"
            "Date: Fri, 4 Mar 2022 12:00:00 +0000\n"
            "Subject: lunch\n"
            "Lunch at noon?\n"
            "<p>Lunch at noon?</p>\n");
}

TEST(SearchText, UndeclaredEightBitBody) {
  // No charset: us-ascii by default, but 8-bit text is taken as UTF-8 or
  // windows-1252 rather than lost.
  SearchText t = extract("Subject: x\r\n\r\nna\xefve caf\xc3\xa9");
  EXPECT_EQ(t.body.substr(0, 6), "na\xc3\xafve");
  EXPECT_TRUE(valid_utf8(t.body));
  SearchText u = extract("Content-Type: text/plain; charset=utf-8\r\n\r\ncaf\xc3\xa9 \xff");
  EXPECT_EQ(u.body, "caf\xc3\xa9 \xef\xbf\xbd\n");
}

TEST(SearchText, Limits) {
  std::string m = "Subject: " + std::string(100, 's') +
                  "\r\nContent-Type: text/plain; "
                  "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  // "é" 36 times in base64.
  m += "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp\r\n";
  SearchLimits limits;
  limits.max_body_bytes = 11;
  limits.max_header_bytes = 50;
  SearchText t = extract(m, limits);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.body, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");  // cut between characters
  EXPECT_TRUE(t.headers.empty());  // the subject alone is over the limit
}

TEST(SearchText, FoldCase) {
  EXPECT_EQ(fold_case("Gr\xc3\x9c\xc3\x9f"
                      "E M\xc3\x9cNCHEN"),
            "gr\xc3\xbc\xc3\x9f"
            "e m\xc3\xbcnchen");
  EXPECT_EQ(fold_case("\xce\x91\xce\x92\xce\x93 \xd0\x96"),
            "\xce\xb1\xce\xb2\xce\xb3 \xd0\xb6");  // Greek, Cyrillic
  EXPECT_EQ(fold_case("a\xff"
                      "b"),
            "a\xef\xbf\xbd"
            "b");  // ill-formed: U+FFFD
  EXPECT_TRUE(contains_folded("K\xc3\x96LN", fold_case("k\xc3\xb6ln")));
  EXPECT_FALSE(contains_folded("Koeln", fold_case("k\xc3\xb6ln")));
  EXPECT_TRUE(contains_folded("anything", ""));
  EXPECT_EQ(code_points("\xc3\xbc"
                        "b"),
            2u);
  EXPECT_EQ(code_points(""), 0u);
}

TEST(SearchText, HeaderLinesRoundTrip) {
  std::vector<SearchField> f = {{"subject", "two\r\nlines"}, {"x-empty", ""}, {"to", "a: b"}};
  std::string lines = header_lines(f);
  EXPECT_EQ(lines, "subject: two  lines\nx-empty: \nto: a: b\n");
  auto back = parse_header_lines(lines);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].value, "two  lines");
  EXPECT_EQ(back[1].name, "x-empty");
  EXPECT_EQ(back[1].value, "");
  EXPECT_EQ(back[2].name, "to");
  EXPECT_EQ(back[2].value, "a: b");
}

}  // namespace
}  // namespace mox::message
