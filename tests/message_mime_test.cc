// Tests for lib/message/mime.h: the part tree, offsets and sizes (RFC 2046
// §5.1.1 boundaries), MIME defaults (RFC 2045 §5.2), encapsulated messages
// (RFC 2046 §5.2.1), and the limits that keep hostile input cheap.
#include <gtest/gtest.h>

#include <chrono>

#include "message/mime.h"
#include "message_test_util.h"

namespace mox::message {
namespace {

using testing::corpus;

std::string_view body(std::string_view m, const Part& p) {
  return m.substr(p.body_offset(), p.body_size);
}

TEST(Mime, SinglePartDefaults) {
  std::string m = corpus("no_content_type.eml");
  Part p = parse_message(m);
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.end(), m.size());
  EXPECT_EQ(body(m, p), "Just text.\r\nTwo lines.\r\n");
  EXPECT_EQ(p.body_lines, 2u);
  EXPECT_EQ(p.content_type.type, "text");
  EXPECT_EQ(p.content_type.subtype, "plain");
  EXPECT_EQ(p.charset(), "us-ascii");
  EXPECT_EQ(p.encoding, "7bit");
  ASSERT_TRUE(p.envelope);
  EXPECT_EQ(p.envelope->subject, "no content type");
  EXPECT_FALSE(p.envelope->cc);
  EXPECT_TRUE(p.parts.empty());
  EXPECT_TRUE(p.defects.empty());
}

TEST(Mime, HeaderOnlyAndEmptyBody) {
  std::string h = corpus("header_only.eml");
  Part p = parse_message(h);
  EXPECT_EQ(p.header_size, h.size());
  EXPECT_EQ(p.body_size, 0u);
  EXPECT_EQ(p.body_lines, 0u);
  std::string e = corpus("empty_body.eml");
  Part q = parse_message(e);
  EXPECT_EQ(q.header_size, e.size());
  EXPECT_EQ(q.body_size, 0u);
  Part nothing = parse_message("");
  EXPECT_EQ(nothing.end(), 0u);
  EXPECT_EQ(nothing.content_type.subtype, "plain");
}

TEST(Mime, MultipartOffsets) {
  std::string m = corpus("alternative.eml");
  Part root = parse_message(m);
  ASSERT_TRUE(root.is_multipart());
  ASSERT_EQ(root.parts.size(), 2u);
  EXPECT_EQ(body(m, root.parts[0]), "Hello *world*.\r\n");
  EXPECT_EQ(m.substr(root.parts[0].offset, root.parts[0].header_size),
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
  EXPECT_EQ(body(m, root.parts[1]), "<p>Hello <b>world</b>.</p>\r\n");
  EXPECT_EQ(root.parts[1].content_type.subtype, "html");
  EXPECT_FALSE(root.parts[0].envelope);  // body parts are not messages
  EXPECT_TRUE(root.defects.empty());
}

TEST(Mime, ForwardedMessageIsParsedWithItsEnvelope) {
  std::string m = corpus("forward.eml");
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 2u);
  const Part& fwd = root.parts[1];
  EXPECT_TRUE(fwd.is_encapsulating());
  ASSERT_EQ(fwd.parts.size(), 1u);
  const Part& inner = fwd.parts[0];
  EXPECT_EQ(inner.offset, fwd.body_offset());
  EXPECT_EQ(inner.end(), fwd.end());
  ASSERT_TRUE(inner.envelope);
  EXPECT_EQ(inner.envelope->subject, "lunch");
  ASSERT_EQ(inner.parts.size(), 2u);
  EXPECT_EQ(body(m, inner.parts[0]), "Lunch at noon?");
  EXPECT_EQ(body(m, inner.parts[1]), "<p>Lunch at noon?</p>");
  ASSERT_TRUE(fwd.disposition);
  EXPECT_EQ(fwd.disposition->type, "inline");
}

TEST(Mime, MissingCloseDelimiterIsTolerated) {
  std::string m = corpus("missing_final_boundary.eml");
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 2u);
  EXPECT_EQ(body(m, root.parts[0]), "first");
  EXPECT_EQ(root.parts[1].end(), m.size());
  EXPECT_EQ(root.defects, std::vector<std::string>{"missing close delimiter"});
}

TEST(Mime, BareLf) {
  std::string m = corpus("bare_lf.eml");
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 2u);
  EXPECT_EQ(body(m, root.parts[0]), "line one\nline two");
  EXPECT_EQ(root.parts[0].body_lines, 2u);
  EXPECT_EQ(body(m, root.parts[1]), "caf=E9");
  EXPECT_EQ(root.parts[1].encoding, "quoted-printable");
}

TEST(Mime, BoundaryLines) {
  // RFC 2046 §5.1.1: white space may follow a delimiter; other text may not
  // (a line that merely starts with the boundary is content). The first
  // delimiter may open the body; a part may be empty.
  std::string m =
      "Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n"
      "--=_b \t\r\n\r\none\r\n--=_bx\r\n--=_b\r\n--=_b\r\n\r\ntwo\r\n--=_b-- "
      "\r\nepilogue\r\n--=_b\r\n";
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 3u);
  EXPECT_EQ(body(m, root.parts[0]), "one\r\n--=_bx");
  EXPECT_EQ(root.parts[0].header_size, 2u);  // just the empty line
  EXPECT_EQ(root.parts[1].header_size, 0u);
  EXPECT_EQ(root.parts[1].body_size, 0u);
  EXPECT_EQ(body(m, root.parts[2]), "two");
  EXPECT_TRUE(root.defects.empty());
}

TEST(Mime, MultipartWithoutBoundaryIsText) {
  Part p = parse_message("Content-Type: multipart/mixed\r\n\r\n--x\r\nhi\r\n");
  EXPECT_FALSE(p.is_multipart());
  EXPECT_EQ(p.content_type.subtype, "plain");
  EXPECT_EQ(p.charset(), "us-ascii");
  ASSERT_EQ(p.defects.size(), 1u);

  // A boundary that never occurs: a multipart without parts.
  Part q = parse_message("Content-Type: multipart/mixed; boundary=nope\r\n\r\ntext\r\n");
  EXPECT_TRUE(q.is_multipart());
  EXPECT_TRUE(q.parts.empty());
}

TEST(Mime, InvalidContentTypeDefaults) {
  // RFC 2045 §5.2: a syntactically invalid Content-Type is text/plain too.
  Part p = parse_message("Content-Type: garbage\r\n\r\nx");
  EXPECT_EQ(p.content_type.type, "text");
  EXPECT_EQ(p.charset(), "us-ascii");
  EXPECT_EQ(p.defects.size(), 1u);
  Part q = parse_message("Content-Type: TEXT/HTML;CHARSET=\"ISO-8859-1\"\r\n\r\nx");
  EXPECT_EQ(q.content_type.subtype, "html");
  EXPECT_EQ(q.charset(), "ISO-8859-1");
  EXPECT_EQ(q.content_type.params.size(), 1u);
}

TEST(Mime, DigestDefaultsToMessage) {
  std::string m = corpus("digest.eml");
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 2u);
  for (const Part& p : root.parts) {
    EXPECT_EQ(p.content_type.type, "message");
    EXPECT_EQ(p.content_type.subtype, "rfc822");
    ASSERT_TRUE(p.is_encapsulating());
    EXPECT_TRUE(p.parts[0].envelope);
  }
  EXPECT_EQ(body(m, root.parts[0].parts[0]), "first message");
}

TEST(Mime, DepthLimit) {
  // 10,000 nested multiparts: bounded recursion, and a note where it stopped.
  std::string m;
  for (int i = 0; i < 10000; ++i)
    m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
         std::to_string(i) + "\r\n";
  m += "\r\ninnermost\r\n";
  Part root = parse_message(m);
  const Part* p = &root;
  size_t depth = 0;
  while (!p->parts.empty()) {
    p = &p->parts[0];
    ++depth;
  }
  EXPECT_EQ(depth, 50u);
  EXPECT_TRUE(p->is_multipart());
  EXPECT_EQ(p->defects, std::vector<std::string>{"nesting deeper than 50"});

  // The same with messages inside messages.
  std::string n;
  for (int i = 0; i < 10000; ++i) n += "Content-Type: message/rfc822\r\n\r\n";
  Part r = parse_message(n);
  p = &r;
  depth = 0;
  while (!p->parts.empty()) {
    p = &p->parts[0];
    ++depth;
  }
  EXPECT_EQ(depth, 50u);
}

TEST(Mime, PartLimit) {
  std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 20000; ++i) m += "--b\r\n\r\nx\r\n";
  Part root = parse_message(m);
  EXPECT_EQ(root.parts.size(), 9999u);  // the root counts
  EXPECT_EQ(root.defects.back(), "more than 10000 parts");
  MimeLimits small;
  small.max_parts = 3;
  EXPECT_EQ(parse_message(m, small).parts.size(), 2u);
}

TEST(Mime, OversizedPartHeader) {
  // A header over the limit: no fields (defaults), but offsets stay right.
  std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
  for (int i = 0; i < 2000; ++i) m += "X-Junk: " + std::to_string(i) + "\r\n";
  m += "Content-Type: text/html\r\n\r\nbody\r\n--b--\r\n";
  Part root = parse_message(m);
  ASSERT_EQ(root.parts.size(), 1u);
  const Part& p = root.parts[0];
  EXPECT_EQ(p.content_type.subtype, "plain");
  EXPECT_EQ(body(m, p), "body");
  ASSERT_EQ(p.defects.size(), 1u);
  EXPECT_EQ(p.defects[0], "header: more than 1000 header fields");
}

TEST(Mime, LinearTimeOnManyShortLines) {
  // Many lines that start like a delimiter, at every level of nesting.
  std::string m;
  for (int i = 0; i < 40; ++i) {
    std::string b = "aaaa" + std::to_string(i);
    m += "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n";
  }
  for (int i = 0; i < 200000; ++i) m += "--aaaa\r\n";
  auto start = std::chrono::steady_clock::now();
  Part root = parse_message(m);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(20));  // generous: ASan, shared CI cores
  EXPECT_EQ(root.parts.size(), 1u);
}

}  // namespace
}  // namespace mox::message
