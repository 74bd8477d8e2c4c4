// Tests for lib/dkim/canon.h: RFC 6376 §3.4.5's example and the edge cases
// of §3.4.3 / §3.4.4.
#include <gtest/gtest.h>

#include <string>

#include "dkim/canon.h"
#include "dkim/digest.h"
#include "message/header.h"

namespace mox::dkim {
namespace {

// RFC 6376 §3.4.5.
constexpr std::string_view kExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

std::string canon_headers(bool relaxed) {
  auto h = message::parse_header(kExample);
  EXPECT_TRUE(h.ok());
  std::string out;
  for (const auto& f : h->fields) {
    out += relaxed ? relaxed_header(f.name, f.raw_value) + "\r\n"
                   : simple_header(kExample.substr(f.offset, f.length));
  }
  return out;
}

TEST(DkimCanon, Rfc6376Example) {
  EXPECT_EQ(canon_headers(true), "a:X\r\nb:Y Z\r\n");
  EXPECT_EQ(canon_headers(false), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  std::string_view body = kExample.substr(kExample.find("\r\n\r\n") + 4);
  EXPECT_EQ(canonical_body(body, true), " C\r\nD E\r\n");
  EXPECT_EQ(canonical_body(body, false), " C \r\nD \t E\r\n");
}

TEST(DkimCanon, EmptyAndTrailingBodies) {
  EXPECT_EQ(canonical_body("", false), "\r\n");  // §3.4.3
  EXPECT_EQ(canonical_body("", true), "");       // §3.4.4
  EXPECT_EQ(canonical_body("\r\n\r\n", false), "\r\n");
  EXPECT_EQ(canonical_body("\r\n\r\n", true), "");
  EXPECT_EQ(canonical_body(" \t \r\n\r\n", true), "");
  EXPECT_EQ(canonical_body("abc", false), "abc\r\n");
  EXPECT_EQ(canonical_body("abc", true), "abc\r\n");
  EXPECT_EQ(canonical_body("abc  ", true), "abc\r\n");
  EXPECT_EQ(canonical_body("a\r\n\r\nb\r\n\r\n", false), "a\r\n\r\nb\r\n");
  EXPECT_EQ(canonical_body("a\r\n \r\nb\r\n", true), "a\r\n\r\nb\r\n");
  // Bare CR and LF are ordinary octets.
  EXPECT_EQ(canonical_body("a\rb\nc\r\n", false), "a\rb\nc\r\n");
  EXPECT_EQ(canonical_body("a\r", false), "a\r\r\n");
}

TEST(DkimCanon, StreamingEqualsWhole) {
  std::string body = " lead\t \r\n\r\nmid  dle \t\r\n\r\r\n\r\n \r\nend \r\n\r\n\r\n";
  for (bool relaxed : {false, true}) {
    std::string whole = canonical_body(body, relaxed);
    for (size_t split = 1; split < 5; ++split) {
      BodyCanonicalizer c(relaxed);
      std::string out;
      for (size_t i = 0; i < body.size(); i += split)
        c.update(std::string_view(body).substr(i, split), out);
      c.finish(out);
      EXPECT_EQ(out, whole) << "relaxed=" << relaxed << " split=" << split;
    }
  }
}

TEST(DkimCanon, RelaxedHeader) {
  EXPECT_EQ(relaxed_header("SUBJECT ", "  hello \r\n\t  world\t "), "subject:hello world");
  EXPECT_EQ(relaxed_header("X", ""), "x:");
  EXPECT_EQ(simple_header("A: b"), "A: b\r\n");
  EXPECT_EQ(simple_header("A: b\n"), "A: b\r\n");
}

TEST(DkimCanon, BodyHashLength) {
  MessageRef m{"From: a@b\r\n\r\nhello\r\nworld\r\n"};
  size_t off = std::string_view("From: a@b\r\n\r\n").size();
  auto full = body_hash(m, off, Hash::kSha256, false);
  auto l7 = body_hash(m, off, Hash::kSha256, false, 7);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(l7.ok());
  EXPECT_EQ(*l7, digest(Hash::kSha256, "hello\r\n"));
  EXPECT_EQ(*full, digest(Hash::kSha256, "hello\r\nworld\r\n"));
  auto too_long = body_hash(m, off, Hash::kSha256, false, 1000);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().kind, ErrorKind::kPermanent);
}

// RFC 6376 §3.4.3/§3.4.4 (and errata 3192): the hashes of empty bodies.
TEST(DkimCanon, EmptyBodyHashes) {
  MessageRef m{"From: a@b\r\n\r\n"};
  size_t off = m.bytes.size();
  EXPECT_EQ(*body_hash(m, off, Hash::kSha256, false), digest(Hash::kSha256, "\r\n"));
  EXPECT_EQ(*body_hash(m, off, Hash::kSha256, true), digest(Hash::kSha256, ""));
}

}  // namespace
}  // namespace mox::dkim
