// Tests for lib/spf/record.h: record selection (RFC 7208 §4.5), the syntax
// of every term (§4.6.1, §5, §6, §12) and Directive::text().
#include <gtest/gtest.h>

#include <string>

#include "spf/record.h"

namespace mox::spf {
namespace {

using Kind = Directive::Kind;

TEST(SpfRecord, Version) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("V=SpF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record(" v=spf1"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra"));
}

TEST(SpfRecord, AllTerms) {
  auto r = parse_record(
      "v=spf1 +all -include:_spf.example.com ~a ?a:%{d}/24//64 mx/30 MX:example.org//0 ptr "
      "ptr:example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.bl.example.com "
      "redirect=_spf.example.com exp=exp.%{d} moo.cow-far_out=man:dog/cat   ");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> texts;
  for (const auto& d : r->directives) texts.push_back(d.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"all", "-include:_spf.example.com", "~a",
                                             "?a:%{d}/24//64", "mx/30", "mx:example.org//0", "ptr",
                                             "ptr:example.com", "ip4:192.0.2.0/24",
                                             "ip6:2001:db8::/32", "exists:%{ir}.bl.example.com"}));
  EXPECT_EQ(r->directives[3].kind, Kind::kA);
  EXPECT_EQ(r->directives[3].cidr4, 24);
  EXPECT_EQ(r->directives[3].cidr6, 64);
  EXPECT_EQ(r->directives[3].domain_spec, "%{d}");
  EXPECT_EQ(r->directives[8].ip, "192.0.2.0");
  EXPECT_EQ(r->redirect, "_spf.example.com");
  EXPECT_EQ(r->exp, "exp.%{d}");
  ASSERT_EQ(r->other_modifiers.size(), 1u);
  EXPECT_EQ(r->other_modifiers[0].first, "moo.cow-far_out");
  EXPECT_EQ(r->other_modifiers[0].second, "man:dog/cat");
}

TEST(SpfRecord, EmptyAndSpaces) {
  auto r = parse_record("v=spf1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->directives.empty());
  EXPECT_TRUE(parse_record("v=spf1  a   -all ").ok());
}

TEST(SpfRecord, SyntaxErrors) {
  for (const char* bad : {"v=spf1 all.",
                          "v=spf1 all:foo",
                          "v=spf1 all/8",
                          "v=spf1 ptr/24",
                          "v=spf1 ptr:",
                          "v=spf1 a:",
                          "v=spf1 a/33",
                          "v=spf1 a//129",
                          "v=spf1 a/024",
                          "v=spf1 a:foo-bar",
                          "v=spf1 a:museum",
                          "v=spf1 a:museum.",
                          "v=spf1 a:foo.123",
                          "v=spf1 a:foo.-bar",
                          "v=spf1 include",
                          "v=spf1 include:",
                          "v=spf1 include:foo.com/24",
                          "v=spf1 exists",
                          "v=spf1 exists:foo.com/24",
                          "v=spf1 ip4",
                          "v=spf1 ip4:1.2.3",
                          "v=spf1 ip4:1.2.3.4/33",
                          "v=spf1 ip4:1.2.3.4/032",
                          "v=spf1 ip4:1.2.3.4//32",
                          "v=spf1 ip4:1.2.3.4:8080",
                          "v=spf1 ip6:1.2.3.4",
                          "v=spf1 ip6:::1/129",
                          "v=spf1 ip6",
                          "v=spf1 ip6:::1//64",
                          "v=spf1 redirect:example.com",
                          "v=spf1 redirect=",
                          "v=spf1 exp=",
                          "v=spf1 redirect=a.example.com redirect=b.example.com",
                          "v=spf1 exp=a.com exp=b.com",
                          "v=spf1 =foo",
                          "v=spf1 moo.cow/far_out=man",
                          "v=spf1 1moo=x",
                          "v=spf1 foo=%abc",
                          "v=spf1 moo",
                          "v=spf1 a:%{c}.example.com",
                          "v=spf1 exists:%{d0}",
                          "v=spf1 +-all",
                          "v=spf1 a:ctrl.example.com\rptr",
                          "v=spf1 \x80"
                          "a",
                          "v=spf1\t-all",
                          "v=spf10 -all"}) {
    auto r = parse_record(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kSyntax) << bad;
    }
  }
}

TEST(SpfRecord, ErrorNamesTerm) {
  auto r = parse_record("v=spf1 ip4:1.2.3.4 -al");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"-al\""), std::string::npos) << r.error().message;
}

TEST(SpfRecord, CaseInsensitiveNames) {
  auto r = parse_record(
      "v=spf1 A:Example.COM INCLUDE:x.example.com Redirect=y.example.com EXP=z.example.com");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->directives[0].text(), "a:Example.COM");
  EXPECT_EQ(r->directives[1].text(), "include:x.example.com");
  EXPECT_EQ(r->redirect, "y.example.com");
  EXPECT_EQ(r->exp, "z.example.com");
}

TEST(SpfRecord, TextRoundTrip) {
  auto r = parse_record("v=spf1 ip4:192.0.2.1/32 ip6:::1/128 a/32//128 mx:%{d}/24//64 -a//0 ?mx/0");
  ASSERT_TRUE(r.ok());
  std::string again = "v=spf1";
  for (const auto& d : r->directives) again += " " + d.text();
  EXPECT_EQ(again, "v=spf1 ip4:192.0.2.1 ip6:::1 a mx:%{d}/24//64 -a//0 ?mx/0");
  auto r2 = parse_record(again);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->directives, r->directives);
}

}  // namespace
}  // namespace mox::spf
