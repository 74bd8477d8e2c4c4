// Tests for lib/message/parsed.h: one parse gives the header and the MIME
// tree that parse_header() and parse_message() give; prepend() derives the
// structure of the stored message (fields added in front, forged fields
// dropped) equal to a parse of the stored bytes, and declines where it
// could differ.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "message/fetch.h"
#include "message/parsed.h"
#include "message/searchtext.h"
#include "message_test_util.h"

namespace mox::message {
namespace {

using testing::corpus;

const char* kAdded =
    "Authentication-Results: mx.example; spf=pass smtp.mailfrom=a@b.example\r\n"
    "Received: from b.example ([192.0.2.1])\r\n\tby mx.example with ESMTPS id x1;\r\n"
    "\tMon, 7 Dec 2026 16:00:00 +0000\r\n";

void expect_same_header(const Header& got, const Header& want) {
  ASSERT_EQ(got.fields.size(), want.fields.size());
  for (size_t i = 0; i < want.fields.size(); ++i) {
    EXPECT_EQ(got.fields[i].name, want.fields[i].name) << i;
    EXPECT_EQ(got.fields[i].raw_value, want.fields[i].raw_value) << i;
    EXPECT_EQ(got.fields[i].value, want.fields[i].value) << i;
    EXPECT_EQ(got.fields[i].offset, want.fields[i].offset) << i;
    EXPECT_EQ(got.fields[i].length, want.fields[i].length) << i;
  }
  ASSERT_EQ(got.defects.size(), want.defects.size());
  for (size_t i = 0; i < want.defects.size(); ++i) {
    EXPECT_EQ(got.defects[i].offset, want.defects[i].offset) << i;
  }
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.has_separator, want.has_separator);
}

void expect_same_tree(const Part& got, const Part& want) {
  EXPECT_EQ(got.offset, want.offset);
  EXPECT_EQ(got.header_size, want.header_size);
  EXPECT_EQ(got.body_size, want.body_size);
  EXPECT_EQ(got.body_lines, want.body_lines);
  ASSERT_EQ(got.parts.size(), want.parts.size());
  for (size_t i = 0; i < want.parts.size(); ++i) expect_same_tree(got.parts[i], want.parts[i]);
}

// `p` describes `bytes` as parse() of them would.
void expect_parse_of(const Parsed& p, std::string_view bytes) {
  Parsed want = parse(bytes);
  ASSERT_TRUE(p.header.ok());
  ASSERT_TRUE(want.header.ok());
  EXPECT_EQ(p.size, bytes.size());
  expect_same_header(*p.header, *want.header);
  expect_same_tree(p.root, want.root);
  EXPECT_EQ(envelope(p.root), envelope(want.root));
  EXPECT_EQ(bodystructure(p.root, true), bodystructure(want.root, true));
  EXPECT_EQ(bodystructure(p.root, false), bodystructure(want.root, false));
  SearchText a = extract_search_text(bytes, p.root, *p.header);
  SearchText b = extract_search_text(bytes, parse_message(bytes));
  EXPECT_EQ(header_lines(a.headers), header_lines(b.headers));
  EXPECT_EQ(a.body, b.body);
}

const char* const kCorpus[] = {
    "alternative.eml", "digest.eml",           "empty_body.eml",
    "forward.eml",     "groups.eml",           "header_only.eml",
    "latin1.eml",      "mixed_attachment.eml", "plain.eml",
    "rfc2231.eml",     "signed.eml",           "utf8_subject.eml",
    "deep_nested.eml", "no_content_type.eml",  "missing_final_boundary.eml",
};

TEST(Parsed, OneParseGivesTheHeaderAndTheTree) {
  for (const char* name : kCorpus) {
    SCOPED_TRACE(name);
    std::string m = corpus(name);
    Parsed p = parse(m);
    auto h = parse_header(m);
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(p.header.ok());
    expect_same_header(*p.header, *h);
    Part root = parse_message(m);
    expect_same_tree(p.root, root);
    EXPECT_EQ(envelope(p.root), envelope(root));
    EXPECT_EQ(bodystructure(p.root, true), bodystructure(root, true));
  }
}

TEST(Parsed, HeaderOverTheLimitsIsAnErrorAsParseHeaderSays) {
  std::string m;
  for (int i = 0; i < 1001; ++i) m += "X-N: " + std::to_string(i) + "\r\n";
  m += "\r\nbody\r\n";
  Parsed p = parse(m);
  ASSERT_FALSE(p.header.ok());
  EXPECT_EQ(p.header.error().message, parse_header(m).error().message);
  EXPECT_EQ(p.fields(), nullptr);
  EXPECT_FALSE(prepend(p, kAdded).has_value());
}

TEST(Parsed, PrependEqualsAParseOfTheStoredBytes) {
  for (const char* name : kCorpus) {
    SCOPED_TRACE(name);
    std::string m = corpus(name);
    Parsed received = parse(m);
    auto stored = prepend(received, kAdded);
    ASSERT_TRUE(stored.has_value());
    expect_parse_of(*stored, std::string(kAdded) + m);
    // Nothing added: the same.
    auto same = prepend(received, "");
    ASSERT_TRUE(same.has_value());
    expect_parse_of(*same, m);
  }
}

TEST(Parsed, DroppedFieldsAreLeftOutAndTheOffsetsFollow) {
  std::string header =
      "Authentication-Results: mx.example; dkim=pass header.d=forged.example\r\n"
      "From: Alice <alice@a.example>\r\n"
      "Authentication-Results: mx.example;\r\n\tspf=pass\r\n"
      "garbage line\r\n"
      "Subject: hi\r\n"
      "Authentication-Results: other.example; none\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n"
      "\r\n";
  std::string body = "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
  Parsed received = parse(header + body);
  ASSERT_TRUE(received.header.ok());
  std::vector<size_t> dropped = {0, 2};
  std::string kept = header;
  const auto& f = received.header->fields;
  kept.erase(f[2].offset, f[2].length);
  kept.erase(f[0].offset, f[0].length);
  auto stored = prepend(received, kAdded, dropped);
  ASSERT_TRUE(stored.has_value());
  expect_parse_of(*stored, kAdded + kept + body);
  EXPECT_EQ(stored->header->count("Authentication-Results"), 2u);
}

TEST(Parsed, DeclinesWhereAParseCouldDiffer) {
  Parsed plain = parse(corpus("plain.eml"));
  // Not complete fields.
  EXPECT_FALSE(prepend(plain, "Received: x").has_value());
  EXPECT_FALSE(prepend(plain, "not a field\r\n").has_value());
  EXPECT_FALSE(prepend(plain, "Received: x\r\n\r\n").has_value());
  // A Content-* field added or dropped changes the MIME fields.
  EXPECT_FALSE(prepend(plain, "Content-Type: text/html\r\n").has_value());
  Parsed typed = parse("Content-Type: text/html\r\nFrom: a@b.example\r\n\r\n<p>\r\n");
  EXPECT_FALSE(prepend(typed, "", {0}).has_value());
  EXPECT_TRUE(prepend(typed, "", {1}).has_value());
  // Indexes that are not fields, or not ascending.
  EXPECT_FALSE(prepend(typed, "", {2}).has_value());
  EXPECT_FALSE(prepend(typed, "", {1, 1}).has_value());
  // A first line that would continue the last added field.
  Parsed cont = parse(" continued\r\nFrom: a@b.example\r\n\r\nx\r\n");
  EXPECT_FALSE(prepend(cont, "Received: x\r\n").has_value());
  // Over the field limit once joined.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "X-N: " + std::to_string(i) + "\r\n";
  Parsed full = parse(many + "\r\nbody\r\n");
  ASSERT_TRUE(full.header.ok());
  EXPECT_FALSE(prepend(full, "Received: x\r\n").has_value());
}

TEST(Parsed, PrependHeaderJoinsWithoutTheTree) {
  std::string m = corpus("plain.eml");
  Parsed p = parse(m);
  std::string extra = "Message-ID: <x@mx.example>\r\nDate: Mon, 7 Dec 2026 16:00:00 +0000\r\n";
  auto h = prepend_header(*p.header, extra);
  ASSERT_TRUE(h.has_value());
  auto want = parse_header(extra + m);
  ASSERT_TRUE(want.ok());
  expect_same_header(*h, *want);
}

}  // namespace
}  // namespace mox::message
