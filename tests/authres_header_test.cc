// Tests for lib/authres/header.h: writing (quoting, folding), reading the
// examples of RFC 8601 Appendix B and RFC 6008 Appendix A.1, round trips,
// authserv_id, and scrub (RFC 8601 §5).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "authres/header.h"

namespace mox::authres {
namespace {

Header parse_ok(std::string_view v) {
  auto h = parse(v);
  EXPECT_TRUE(h.ok()) << v << ": " << h.error().message;
  return h.ok() ? *h : Header{};
}

// The value of a formatted field: after "Authentication-Results:".
std::string value_of(const std::string& field) {
  constexpr std::string_view kName = "Authentication-Results:";
  EXPECT_TRUE(field.starts_with(kName)) << field;
  EXPECT_TRUE(field.ends_with("\r\n")) << field;
  return field.substr(kName.size(), field.size() - kName.size() - 2);
}

void expect_lines_within(const std::string& field, size_t max) {
  std::istringstream in(field);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    EXPECT_LE(line.size(), max) << line;
  }
}

Header sample() {
  Header h;
  h.authserv_id = "mail.mox.example";
  h.methods.push_back({"iprev", "pass", "", "", {{"policy", "iprev", "192.0.2.1"}}});
  h.methods.push_back({"spf", "pass", "", "", {{"smtp", "mailfrom", "alice@example.org"}}});
  h.methods.push_back({"dkim",
                       "pass",
                       "2048-bit rsa key sha256",
                       "",
                       {{"header", "d", "example.org"},
                        {"header", "s", "sel2024"},
                        {"header", "a", "rsa-sha256"},
                        {"header", "b", "AbCdEf12"}}});
  h.methods.push_back({"dmarc", "pass", "", "", {{"header", "from", "example.org"}}});
  return h;
}

TEST(AuthresFormat, Lines) {
  std::string f = format(sample());
  EXPECT_EQ(f,
            "Authentication-Results: mail.mox.example;\r\n"
            "\tiprev=pass policy.iprev=192.0.2.1;\r\n"
            "\tspf=pass smtp.mailfrom=alice@example.org;\r\n"
            "\tdkim=pass (2048-bit rsa key sha256) header.d=example.org header.s=sel2024\r\n"
            "\theader.a=rsa-sha256 header.b=AbCdEf12;\r\n"
            "\tdmarc=pass header.from=example.org\r\n");
  expect_lines_within(f, 78);
  EXPECT_EQ(format(Header{"mx.example", {}}), "Authentication-Results: mx.example; none\r\n");
}

TEST(AuthresFormat, Quoting) {
  Header h;
  h.authserv_id = "my host";
  h.methods.push_back({"spf",
                       "fail",
                       "a (b) \\ c",
                       "no such; thing",
                       {{"smtp", "mailfrom", "\"odd user\"@example.org"},
                        {"smtp", "helo", "x;y"},
                        {"header", "from", "@example.org"},
                        {"policy", "x", ""}}});
  std::string f = format(h);
  EXPECT_EQ(f,
            "Authentication-Results: \"my host\";\r\n"
            "\tspf=fail (a \\(b\\) \\\\ c) reason=\"no such; thing\"\r\n"
            "\tsmtp.mailfrom=\"\\\"odd user\\\"@example.org\" smtp.helo=\"x;y\"\r\n"
            "\theader.from=@example.org policy.x=\"\"\r\n");
  Header back = parse_ok(value_of(f));
  EXPECT_EQ(back.authserv_id, "my host");
  EXPECT_EQ(back.methods, h.methods);
}

TEST(AuthresFormat, RoundTrip) {
  Header h = sample();
  Header back = parse_ok(value_of(format(h)));
  EXPECT_EQ(back.authserv_id, h.authserv_id);
  EXPECT_EQ(back.methods, h.methods);
  // Control characters cannot be written; they become spaces.
  h.methods[0].comment = "a\r\nb";
  EXPECT_EQ(parse_ok(value_of(format(h))).methods[0].comment, "a  b");
}

// RFC 8601 Appendix B.2 - B.6, RFC 6008 Appendix A.1.
TEST(AuthresParse, RfcExamples) {
  Header h = parse_ok(" example.org 1; none");
  EXPECT_EQ(h.authserv_id, "example.org");
  EXPECT_TRUE(h.methods.empty());

  h = parse_ok(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
  ASSERT_EQ(h.methods.size(), 1u);
  EXPECT_EQ(h.methods[0], (Method{"spf", "pass", "", "", {{"smtp", "mailfrom", "example.net"}}}));

  h = parse_ok(
      " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "          spf=pass smtp.mailfrom=example.net");
  ASSERT_EQ(h.methods.size(), 2u);
  EXPECT_EQ(h.methods[0],
            (Method{"auth", "pass", "cram-md5", "", {{"smtp", "auth", "sender@example.net"}}}));

  h = parse_ok(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
  ASSERT_EQ(h.methods.size(), 1u);
  EXPECT_EQ(h.methods[0], (Method{"iprev", "pass", "", "", {{"policy", "iprev", "192.0.2.200"}}}));

  h = parse_ok(" example.com;\r\n          dkim=pass (good signature) header.d=example.com");
  EXPECT_EQ(h.methods[0],
            (Method{"dkim", "pass", "good signature", "", {{"header", "d", "example.com"}}}));

  h = parse_ok(
      " example.com;\r\n    dkim=pass reason=\"good signature\"\r\n      "
      "header.i=@mail-router.example.net;\r\n"
      "    dkim=fail reason=\"bad signature\"\r\n      header.i=@newyork.example.com");
  ASSERT_EQ(h.methods.size(), 2u);
  EXPECT_EQ(
      h.methods[0],
      (Method{
          "dkim", "pass", "", "good signature", {{"header", "i", "@mail-router.example.net"}}}));
  EXPECT_EQ(h.methods[1].reason, "bad signature");

  h = parse_ok(
      " mail-router.example.net;\r\n  dkim=pass (good signature) header.d=newyork.example.com\r\n"
      "        header.b=oINEO8hg;\r\n  dkim=fail (bad signature) header.d=newyork.example.com\r\n"
      "        header.b=EToRSuvU");
  ASSERT_EQ(h.methods.size(), 2u);
  EXPECT_EQ(h.methods[1].props[1], (Property{"header", "b", "EToRSuvU"}));
}

TEST(AuthresParse, CommentsVersionsCase) {
  Header h = parse_ok(
      " (c1) \"quoted id\" (c (nested)) 1 ; DKIM/1 (v) = Fail (first (inner)) (second) "
      "Reason = \"bad; sig\" (x) HEADER . I = \"a b\"@example.com ;");
  EXPECT_EQ(h.authserv_id, "quoted id");
  ASSERT_EQ(h.methods.size(), 1u);
  EXPECT_EQ(
      h.methods[0],
      (Method{"dkim", "fail", "first (inner)", "bad; sig", {{"header", "i", "a b@example.com"}}}));
  EXPECT_EQ(parse_ok(" x;\n\tspf=none\n").methods.size(), 1u);
}

TEST(AuthresParse, Malformed) {
  for (std::string_view bad :
       {"", " ;", " x; spf", " x; spf=", " x spf=pass", " x; spf=pass smtp", " x; spf=pass smtp.=a",
        " x; spf=pass (unterminated", " x; spf=pass\r\nsmtp.a=b", " x; spf=pass a.b=\"open",
        " x; none more", " x; spf=pass a.b=c\x01"}) {
    auto h = parse(bad);
    EXPECT_FALSE(h.ok()) << bad;
    if (!h.ok()) {
      EXPECT_EQ(h.error().kind, ErrorKind::kSyntax);
    }
  }
}

TEST(AuthresParse, AuthservId) {
  EXPECT_EQ(authserv_id(" mail.example.com; spf=pass"), "mail.example.com");
  EXPECT_EQ(authserv_id("\r\n (comment) Mail.Example.COM 1;"), "Mail.Example.COM");
  EXPECT_EQ(authserv_id(" \"a b\"; none"), "a b");
  EXPECT_EQ(authserv_id(" ; spf=pass"), "");
  EXPECT_EQ(authserv_id(""), "");
}

TEST(AuthresScrub, OursRemovedOthersKept) {
  std::string in =
      "Received: from x\r\n"
      "Authentication-Results: mail.mox.example; spf=pass\r\n"
      "  smtp.mailfrom=forged.example\r\n"
      "Authentication-Results: other.example; dkim=pass\r\n"
      "authentication-results:  (hi) MAIL.MOX.EXAMPLE;\r\n\tdkim=pass header.d=forged.example\r\n"
      "Subject: Authentication-Results: mail.mox.example; none\r\n"
      "\r\n"
      "Authentication-Results: mail.mox.example; in the body\r\n";
  Scrubbed s = scrub(in, "mail.mox.example");
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.header,
            "Received: from x\r\n"
            "Authentication-Results: other.example; dkim=pass\r\n"
            "Subject: Authentication-Results: mail.mox.example; none\r\n"
            "\r\n"
            "Authentication-Results: mail.mox.example; in the body\r\n");
  Scrubbed none = scrub(in, "elsewhere.example");
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(none.header, in);
  EXPECT_EQ(scrub(in, "").header, in);
}

}  // namespace
}  // namespace mox::authres
