// Tests for lib/dmarc/publicsuffix.h and lib/dns/idna.h: the list's
// algorithm on a small list (normal, wildcard and exception rules, the
// default rule), U-label rules, and Debian's installed list.
#include <gtest/gtest.h>
#include <unistd.h>

#include "dmarc/publicsuffix.h"
#include "dns/idna.h"

namespace mox::dmarc {
namespace {

constexpr std::string_view kList =
    "// ===BEGIN ICANN DOMAINS===\n"
    "com\n"
    "uk\n"
    "co.uk\n"
    "// a comment\n"
    "\n"
    "*.ck\n"
    "!www.ck\n"
    "jp\n"
    "*.kawasaki.jp\n"
    "!city.kawasaki.jp\n"
    "公司.cn  anything after white space is ignored\n"
    "cn\r\n"
    "// ===END ICANN DOMAINS===\n"
    "// ===BEGIN PRIVATE DOMAINS===\n"
    "blogspot.com\n"
    "// ===END PRIVATE DOMAINS===\n";

PublicSuffixList list() {
  auto p = PublicSuffixList::from_text(kList);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return std::move(p).value();
}

TEST(PublicSuffix, Rules) {
  PublicSuffixList psl = list();
  EXPECT_EQ(psl.public_suffix("example.com"), "com");
  EXPECT_EQ(psl.public_suffix("a.b.example.co.uk"), "co.uk");
  EXPECT_EQ(psl.organizational_domain("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl.organizational_domain("Mail.Example.COM."), "example.com");
  EXPECT_EQ(psl.organizational_domain("example.com"), "example.com");
  EXPECT_EQ(psl.organizational_domain("com"), "com");
  EXPECT_EQ(psl.organizational_domain("co.uk"), "co.uk");
  // PRIVATE section rules count too.
  EXPECT_EQ(psl.organizational_domain("x.alice.blogspot.com"), "alice.blogspot.com");
}

TEST(PublicSuffix, WildcardsAndExceptions) {
  PublicSuffixList psl = list();
  EXPECT_EQ(psl.public_suffix("a.b.ck"), "b.ck");
  EXPECT_EQ(psl.organizational_domain("a.b.ck"), "a.b.ck");
  EXPECT_EQ(psl.organizational_domain("x.a.b.ck"), "a.b.ck");
  EXPECT_EQ(psl.public_suffix("b.ck"), "b.ck");
  EXPECT_EQ(psl.public_suffix("www.ck"), "ck");
  EXPECT_EQ(psl.organizational_domain("www.ck"), "www.ck");
  EXPECT_EQ(psl.organizational_domain("a.www.ck"), "www.ck");
  EXPECT_EQ(psl.organizational_domain("a.b.kawasaki.jp"), "a.b.kawasaki.jp");
  EXPECT_EQ(psl.organizational_domain("x.city.kawasaki.jp"), "city.kawasaki.jp");
}

TEST(PublicSuffix, DefaultRule) {
  PublicSuffixList psl = list();
  EXPECT_EQ(psl.public_suffix("example.unlisted"), "unlisted");
  EXPECT_EQ(psl.organizational_domain("a.example.unlisted"), "example.unlisted");
  EXPECT_EQ(psl.organizational_domain("unlisted"), "unlisted");
  auto empty = PublicSuffixList::from_text("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->organizational_domain("a.b.example.co.uk"), "co.uk");
  EXPECT_EQ(psl.public_suffix(""), "");
  EXPECT_EQ(psl.organizational_domain("a..com"), "");
}

TEST(PublicSuffix, UnicodeRules) {
  PublicSuffixList psl = list();
  // The list's comment for 公司 gives its A-label: xn--55qx5d.
  EXPECT_EQ(psl.organizational_domain("www.example.xn--55qx5d.cn"), "example.xn--55qx5d.cn");
  EXPECT_EQ(psl.organizational_domain("www.example.公司.cn"), "example.xn--55qx5d.cn");
}

TEST(PublicSuffix, BadRule) {
  auto p = PublicSuffixList::from_text("com\nfoo..bar\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::kSyntax);
  EXPECT_NE(p.error().message.find("line 2"), std::string::npos);
  auto missing = PublicSuffixList::load("/nonexistent/psl.dat");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kUser);
  EXPECT_NE(missing.error().message.find("/nonexistent/psl.dat"), std::string::npos);
}

TEST(PublicSuffix, InstalledList) {
  if (access(PublicSuffixList::kDefaultPath, R_OK) != 0)
    GTEST_SKIP() << "publicsuffix not installed";
  auto p = PublicSuffixList::load(PublicSuffixList::kDefaultPath);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_GT(p->size(), 5000u);
  EXPECT_EQ(p->organizational_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(p->organizational_domain("a.b.example.com"), "example.com");
  EXPECT_EQ(p->organizational_domain("www.ck"), "www.ck");
  EXPECT_EQ(p->organizational_domain("x.y.example.ck"), "y.example.ck");
  EXPECT_EQ(p->organizational_domain("mail.example.xn--55qx5d.cn"), "example.xn--55qx5d.cn");
}

// RFC 3492 §7.1 samples, and labels of the list.
TEST(Idna, ALabels) {
  EXPECT_EQ(*dns::to_a_labels("bücher"), "xn--bcher-kva");
  EXPECT_EQ(*dns::to_a_labels("公司.cn"), "xn--55qx5d.cn");
  EXPECT_EQ(*dns::to_a_labels("Mail.Bücher.Example"), "mail.xn--bcher-kva.example");
  // UTS #46 mapping: upper case folded, and NFC applied before encoding.
  EXPECT_EQ(*dns::to_a_labels("BÜCHER.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*dns::to_a_labels("bu\u0308cher"), "xn--bcher-kva");
  EXPECT_EQ(*dns::to_a_labels("*.ck"), "*.ck");
  EXPECT_FALSE(dns::to_a_labels("\xff.example").ok());
}

}  // namespace
}  // namespace mox::dmarc
