// Tests for lib/message/section.h: FETCH BODY[section] (RFC 9051 §6.4.5),
// part numbering through multiparts and encapsulated messages, partials,
// and BINARY (RFC 3516).
#include <gtest/gtest.h>

#include "message/mime.h"
#include "message/section.h"
#include "message_test_util.h"

namespace mox::message {
namespace {

using testing::corpus;

class Sections : public ::testing::Test {
 protected:
  void load(const std::string& name) {
    msg_ = corpus(name);
    root_ = parse_message(msg_);
  }
  std::string get(std::string_view spec) {
    auto r = section(msg_, root_, spec);
    EXPECT_TRUE(r.ok()) << spec << ": " << r.error().message;
    return r.ok() ? *r : "<error>";
  }
  std::string msg_;
  Part root_;
};

TEST(SectionSpec, Parse) {
  auto s = parse_section_spec("1.2.HEADER.FIELDS (From \"X-Odd Name\" subject)");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(s->text, SectionSpec::Text::kHeaderFields);
  EXPECT_EQ(s->fields, (std::vector<std::string>{"From", "X-Odd Name", "subject"}));
  EXPECT_EQ(parse_section_spec("header.fields.not (a)")->text, SectionSpec::Text::kHeaderFieldsNot);
  EXPECT_EQ(parse_section_spec("")->text, SectionSpec::Text::kAll);
  EXPECT_EQ(parse_section_spec("4294967295")->part[0], 4294967295u);
  EXPECT_EQ(parse_section_spec("3.mime")->text, SectionSpec::Text::kMime);
  for (const char* bad :
       {"0", "1.", ".1", "1..2", "MIME", "1.BODY", "HEADER.FIELDS", "TEXT ", "HEADER.FIELDS ()",
        "HEADER.FIELDS (a", "HEADER.FIELDS (a) x", "4294967296", "1.2.3x", "HEADER.FIELDS (\"a)"}) {
    auto r = parse_section_spec(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
    }
  }
}

TEST_F(Sections, WholeHeaderText) {
  load("alternative.eml");
  EXPECT_EQ(get(""), msg_);
  size_t body = msg_.find("\r\n\r\n") + 4;
  EXPECT_EQ(get("HEADER"), msg_.substr(0, body));
  EXPECT_EQ(get("TEXT"), msg_.substr(body));
}

TEST_F(Sections, HeaderFields) {
  load("alternative.eml");
  // Case-insensitive, in message order, with the empty line.
  EXPECT_EQ(get("HEADER.FIELDS (SUBJECT from X-Absent)"),
            "From: alice@example.org\r\nSubject: alternative\r\n\r\n");
  EXPECT_EQ(get("HEADER.FIELDS (X-Absent)"), "\r\n");
  EXPECT_EQ(get("HEADER.FIELDS.NOT (from TO subject date message-id mime-version)"),
            "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n");
}

TEST_F(Sections, FoldedFieldsStayFolded) {
  load("mixed_attachment.eml");
  EXPECT_EQ(get("HEADER.FIELDS (Content-Type)"),
            "Content-Type: multipart/mixed;\r\n boundary=\"----=_Part_0_123.456\"\r\n\r\n");
  std::string mime = get("2.MIME");
  EXPECT_EQ(mime.rfind("Content-Type: application/pdf; name=\"report.pdf\"\r\n", 0), 0u);
  EXPECT_TRUE(mime.ends_with("Content-Location: http://example.net/report.pdf\r\n\r\n"));
  EXPECT_NE(mime.find("Content-Disposition: attachment;\r\n filename*=UTF-8''r%C3%A9sum"),
            std::string::npos);
}

TEST_F(Sections, Parts) {
  load("alternative.eml");
  EXPECT_EQ(get("1"), "Hello *world*.\r\n");
  EXPECT_EQ(get("2"), "<p>Hello <b>world</b>.</p>\r\n");
  EXPECT_EQ(get("1.MIME"),
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
  // Parts that do not exist are empty.
  EXPECT_EQ(get("3"), "");
  EXPECT_EQ(get("1.1"), "");
  EXPECT_EQ(get("3.MIME"), "");
  EXPECT_EQ(get("3.HEADER"), "");
}

TEST_F(Sections, SinglePartMessageHasPartOne) {
  load("plain.eml");
  size_t body = msg_.find("\r\n\r\n") + 4;
  EXPECT_EQ(get("1"), msg_.substr(body));
  EXPECT_EQ(get("1.MIME"), msg_.substr(0, body));
  EXPECT_EQ(get("2"), "");
  EXPECT_EQ(get("1.1"), "");
}

TEST_F(Sections, EncapsulatedMessage) {
  load("forward.eml");
  std::string inner = msg_.substr(msg_.find("From: Grace"));
  inner = inner.substr(0, inner.find("\r\n--outer--"));
  size_t inner_body = inner.find("\r\n\r\n") + 4;
  EXPECT_EQ(get("2"), inner);
  EXPECT_EQ(get("2.MIME"), "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n");
  EXPECT_EQ(get("2.HEADER"), inner.substr(0, inner_body));
  EXPECT_EQ(get("2.TEXT"), inner.substr(inner_body));
  EXPECT_EQ(get("2.HEADER.FIELDS (subject)"), "Subject: lunch\r\n\r\n");
  EXPECT_EQ(get("2.HEADER.FIELDS.NOT (from to date message-id mime-version content-type)"),
            "Subject: lunch\r\n\r\n");
  // Numbers after a message/rfc822 part name parts of its message's body.
  EXPECT_EQ(get("2.1"), "Lunch at noon?");
  EXPECT_EQ(get("2.2"), "<p>Lunch at noon?</p>");
  EXPECT_EQ(get("2.1.MIME"), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(get("2.3"), "");
  EXPECT_EQ(get("1"), "See below.\r\n");
  // HEADER of a part that is not a message: its own header, leniently.
  EXPECT_EQ(get("1.HEADER"), "Content-Type: text/plain\r\n\r\n");
}

TEST_F(Sections, DigestAndDeepNesting) {
  load("digest.eml");
  EXPECT_EQ(get("1.1"), "first message");
  EXPECT_EQ(get("2.HEADER.FIELDS (Subject)"), "Subject: two\r\n\r\n");
  load("deep_nested.eml");
  EXPECT_EQ(get("1.1.1.1.1.1.1.1"), "deepest");
  EXPECT_EQ(get("1.1.1.1.1.1.1.1.MIME"), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(get("1.1.1.1.1.1.1.2"), "");
}

TEST_F(Sections, HeaderOnlyMessage) {
  load("header_only.eml");
  EXPECT_EQ(get("HEADER"), msg_);
  EXPECT_EQ(get("TEXT"), "");
  EXPECT_EQ(get("1"), "");
  // The last field has no line end in the message; one is added.
  EXPECT_EQ(get("HEADER.FIELDS (subject)"), "Subject: only a header\r\n\r\n");
}

TEST_F(Sections, BareLfIsKept) {
  load("bare_lf.eml");
  EXPECT_EQ(get("HEADER.FIELDS (subject)"), "Subject: bare LF\n\r\n");
  EXPECT_EQ(get("1"), "line one\nline two");
}

TEST(Section, SyntaxErrorAndPartial) {
  std::string m = "Subject: x\r\n\r\nbody";
  Part root = parse_message(m);
  auto r = section(m, root, "BODY");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(partial("0123456789", 0, 3), "012");
  EXPECT_EQ(partial("0123456789", 8, 100), "89");
  EXPECT_EQ(partial("0123456789", 10, 1), "");
  EXPECT_EQ(partial("0123456789", UINT64_MAX, UINT64_MAX), "");
  EXPECT_EQ(partial("0123456789", 2, 0), "");
  // A Part from another message gives nothing rather than reading past the end.
  EXPECT_EQ(*section("short", root, ""), "");
}

TEST(Binary, DecodesLeafParts) {
  std::string m = corpus("mixed_attachment.eml");
  Part root = parse_message(m);
  std::string pdf = "%PDF-1.4\n% fake pdf for tests\n";
  for (int i = 0; i < 256; ++i) pdf += static_cast<char>(i);
  EXPECT_EQ(*binary(m, root, {2}), pdf);
  EXPECT_EQ(*binary_size(m, root, {2}), 286u);
  EXPECT_EQ(*binary(m, root, {1}), "See the report.");
  EXPECT_EQ(*binary(m, root, {3}), "");
  EXPECT_EQ(*binary(m, root, {}), m);  // a multipart message: as it is

  // A message/rfc822 part: the whole encapsulated message, as BODY[2] has
  // it (its transfer encoding is an identity one), as Dovecot answers.
  std::string fw = corpus("forward.eml");
  Part fwr = parse_message(fw);
  auto inner = binary(fw, fwr, {2});
  ASSERT_TRUE(inner.ok());
  EXPECT_FALSE(inner->empty());
  EXPECT_EQ(*inner, *section(fw, fwr, "2"));
  EXPECT_EQ(*binary_size(fw, fwr, {2}), inner->size());

  std::string q = corpus("utf8_subject.eml");
  Part qr = parse_message(q);
  EXPECT_EQ(*binary(q, qr, {1}),
            "Gr\xc3\xbc\xc3\x9f"
            "e aus M\xc3\xbcnchen, mit einer sehr langen Zeile, die weich "
            "umbrochen wird.\r\n");
  // BINARY[] of a single-part message: its header without
  // Content-Transfer-Encoding, and its decoded body.
  std::string whole = *binary(q, qr, {});
  EXPECT_EQ(whole.find("Content-Transfer-Encoding"), std::string::npos);
  EXPECT_NE(whole.find("\r\n\r\nGr\xc3\xbc\xc3\x9f"
                       "e aus"),
            std::string::npos);

  std::string lf = corpus("bare_lf.eml");
  EXPECT_EQ(*binary(lf, parse_message(lf), {2}), "caf\xe9");
}

TEST(Binary, UnknownEncoding) {
  std::string m = "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n";
  Part root = parse_message(m);
  auto r = binary(m, root, {1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermanent);  // NO [UNKNOWN-CTE]
  EXPECT_FALSE(binary_size(m, root, {1}).ok());
  EXPECT_EQ(*section(m, root, "1"), "begin 644 x\r\n");  // BODY[1] is raw
}

}  // namespace
}  // namespace mox::message
