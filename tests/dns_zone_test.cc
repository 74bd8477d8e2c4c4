// Tests for lib/dns/zone.h and the typed lookups of lib/dns/resolver.h.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "dns/rdata.h"
#include "dns/zone.h"

namespace mox::dns {
namespace {

std::unique_ptr<ZoneResolver> zone(std::string_view text) {
  auto z = ZoneResolver::from_text(text);
  EXPECT_TRUE(z.ok()) << z.error().message;
  return z.ok() ? std::move(z).value() : nullptr;
}

constexpr std::string_view kZone = R"zone(
; A test zone.
$ORIGIN example.com.
$TTL 300
@        IN SOA ns1 hostmaster ( 2024010101 ; serial
                                 1h 15m 1w 5m )
         IN NS  ns1
         IN MX  10 mail
         IN MX  20 mail2.example.net.
@        IN TXT "v=spf1 mx -all"
mail     600 IN A 192.0.2.10
mail     IN 600 AAAA 2001:db8::10
Mail2    A 192.0.2.11          ; mixed case owner
long     TXT "part one, " "part two" ; two strings, concatenated
multi    TXT ( "v=DKIM1; k=rsa; "
               "p=AQAB" )
esc      TXT "quote \" backslash \\ octal \065"
www      CNAME mail
alias    CNAME www.example.com.
_25._tcp.mail TLSA 3 1 1 ( 0123456789abcdef
                           0123456789ABCDEF )
10.2.0.192.in-addr.arpa. PTR mail.example.com.
deep.below.empty A 192.0.2.99
nullmx.example.org. MX 0 .
)zone";

TEST(DnsZone, TypedLookups) {
  auto z = zone(kZone);
  ASSERT_TRUE(z);
  auto mx = z->mx("example.com");
  ASSERT_TRUE(mx.ok()) << mx.error().message;
  ASSERT_EQ(mx->records.size(), 2u);
  EXPECT_EQ(mx->records[0].preference, 10);
  EXPECT_EQ(mx->records[0].host, "mail.example.com");
  EXPECT_EQ(mx->records[1].host, "mail2.example.net");
  EXPECT_FALSE(mx->authentic);

  EXPECT_EQ(z->txt("example.com.")->records.at(0), "v=spf1 mx -all");
  EXPECT_EQ(z->txt("LONG.example.com")->records.at(0), "part one, part two");
  EXPECT_EQ(z->txt("multi.example.com")->records.at(0), "v=DKIM1; k=rsa; p=AQAB");
  EXPECT_EQ(z->txt("esc.example.com")->records.at(0), "quote \" backslash \\ octal A");
  EXPECT_EQ(z->a("mail.example.com")->records.at(0), "192.0.2.10");
  EXPECT_EQ(z->a("mail2.example.com")->records.at(0), "192.0.2.11");
  EXPECT_EQ(z->aaaa("mail.example.com")->records.at(0), "2001:db8::10");
  EXPECT_EQ(z->ptr("192.0.2.10")->records.at(0), "mail.example.com");

  auto tlsa = z->tlsa("_25._tcp.mail.example.com");
  ASSERT_TRUE(tlsa.ok()) << tlsa.error().message;
  EXPECT_EQ(tlsa->records[0].usage, 3);
  EXPECT_EQ(tlsa->records[0].selector, 1);
  EXPECT_EQ(tlsa->records[0].matching_type, 1);
  EXPECT_EQ(tlsa->records[0].data.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(tlsa->records[0].data[1]), 0x23);

  auto null = z->mx("nullmx.example.org");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->records[0].host, "");  // RFC 7505 null MX
}

TEST(DnsZone, TtlAndClassInEitherOrder) {
  auto recs = parse_zone(
      "$ORIGIN x.\na 600 IN A 192.0.2.1\nb IN 700 A 192.0.2.2\nc A 192.0.2.3\n"
      "$TTL 1d\nd A 192.0.2.4\n");
  ASSERT_TRUE(recs.ok()) << recs.error().message;
  ASSERT_EQ(recs->size(), 4u);
  EXPECT_EQ((*recs)[0].ttl, 600u);
  EXPECT_EQ((*recs)[1].ttl, 700u);
  EXPECT_EQ((*recs)[2].ttl, 3600u);
  EXPECT_EQ((*recs)[3].ttl, 86400u);
  EXPECT_EQ((*recs)[3].owner, "d.x");
}

TEST(DnsZone, CnameFollowed) {
  auto z = zone(kZone);
  auto a = z->a("alias.example.com");  // alias → www → mail
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->records.at(0), "192.0.2.10");
  auto raw = z->query("www.example.com", Type::kCname);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*decode_name(raw->rdata.at(0)), "mail.example.com");
}

TEST(DnsZone, NxDomainAndNoData) {
  auto z = zone(kZone);
  auto nx = z->query("nonexistent.example.com", Type::kA);
  ASSERT_TRUE(nx.ok());
  EXPECT_EQ(nx->status, Response::Status::kNxDomain);
  auto nodata = z->query("mail.example.com", Type::kTxt);
  ASSERT_TRUE(nodata.ok());
  EXPECT_EQ(nodata->status, Response::Status::kNoData);
  // RFC 8020: an empty non-terminal exists.
  EXPECT_EQ(z->query("below.empty.example.com", Type::kA)->status, Response::Status::kNoData);
  EXPECT_EQ(z->query("empty.example.com", Type::kA)->status, Response::Status::kNoData);

  auto typed = z->txt("nonexistent.example.com");
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(typed.error().message.find("NXDOMAIN"), std::string::npos);
  auto typed2 = z->txt("mail.example.com");
  ASSERT_FALSE(typed2.ok());
  EXPECT_EQ(typed2.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(typed2.error().message.find("NODATA"), std::string::npos);
}

TEST(DnsZone, Authentic) {
  auto z = zone(
      "$AUTHENTIC yes\nsecure.test. A 192.0.2.1\n$AUTHENTIC no\ninsecure.test. A 192.0.2.2\n"
      "link.test. CNAME secure.test.\n");
  EXPECT_TRUE(z->a("secure.test")->authentic);
  EXPECT_FALSE(z->a("insecure.test")->authentic);
  EXPECT_FALSE(z->a("link.test")->authentic);  // an insecure link taints the chain
  EXPECT_FALSE(z->query("none.test", Type::kA)->authentic);
  auto all = zone("$AUTHENTIC yes\na.test. A 192.0.2.1\n");
  EXPECT_TRUE(all->query("none.test", Type::kA)->authentic);  // authenticated denial
}

TEST(DnsZone, CnameLoopAndConflicts) {
  auto z = zone("a.test. CNAME b.test.\nb.test. CNAME a.test.\n");
  auto r = z->a("a.test");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermanent);
  EXPECT_FALSE(ZoneResolver::from_text("a.test. CNAME b.test.\na.test. A 192.0.2.1\n").ok());
}

TEST(DnsZone, SyntaxErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"a.test. A 999.1.1.1\n", "line 1"},
      {"\n\na.test. AAAA nope\n", "line 3"},
      {"a.test. TXT \"unterminated\n", "line 1"},
      {"a.test. TXT ( \"x\"\n", "without"},
      {"a.test. TXT \"x\" )\n", "without"},
      {"a.test. HINFO \"a\" \"b\"\n", "unsupported"},
      {"$INCLUDE other.zone\n", "unsupported directive"},
      {"  A 192.0.2.1\n", "no previous owner"},
      {"a.test. MX ten mail.test.\n", "MX preference"},
      {"a.test. MX 10\n", "MX needs 2"},
      {"a.test. TLSA 3 1 1 abc\n", "odd"},
      {"a.test. TLSA 3 1 1 zz\n", "hex"},
      {"a.test. TLSA 300 1 1 00\n", "TLSA number"},
      {"a..test. A 192.0.2.1\n", "empty label"},
      {"a.test. 1x A 192.0.2.1\n", "bad TTL"},
      {"a.test. CH A 192.0.2.1\n", "unsupported type or class"},
      {"a.test. A\n", "needs 1"},
      {"a.test.\n", "without a type"},
      {"a.test. TXT\n", "at least one"},
      {"a.test. TXT \"\\300\"\n", "above 255"},
  };
  for (const auto& c : cases) {
    auto r = parse_zone(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax) << c.text;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos)
        << c.text << ": " << r.error().message;
  }
  std::string long_txt = "a.test. TXT \"" + std::string(256, 'x') + "\"\n";
  EXPECT_FALSE(parse_zone(long_txt).ok());
}

TEST(DnsZone, RelativeNamesWithoutOriginAreAbsolute) {
  auto z = zone("host.test A 192.0.2.5\n@ A 192.0.2.6\n");
  EXPECT_EQ(z->a("host.test")->records.at(0), "192.0.2.5");
  auto recs = parse_zone("@ A 192.0.2.6\n", "origin.test");
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ(recs->at(0).owner, "origin.test");
}

TEST(DnsZone, DuplicateRecordsCollapse) {
  auto z = zone("a.test. A 192.0.2.1\na.test. A 192.0.2.1\na.test. A 192.0.2.2\n");
  EXPECT_EQ(z->a("a.test")->records.size(), 2u);
}

TEST(DnsZone, LoadFromFileAndMakeResolver) {
  char path[] = "/tmp/mox-zone-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream f(path);
    f << "sel._domainkey.example.org. TXT \"v=DKIM1; p=\"\n";
  }
  auto r = make_resolver(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->txt("sel._domainkey.example.org")->records.at(0), "v=DKIM1; p=");
  ::unlink(path);
  auto missing = make_resolver(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(path), std::string::npos);
  {
    std::ofstream f(path);
    f << "bad.test. A x\n";
  }
  auto bad = make_resolver(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 1"), std::string::npos);
  ::unlink(path);
}

TEST(DnsNames, NormalizeAndReverse) {
  EXPECT_EQ(*normalize_name("Example.COM."), "example.com");
  EXPECT_EQ(*normalize_name("."), "");
  EXPECT_FALSE(normalize_name("").ok());
  EXPECT_FALSE(normalize_name("a b.test").ok());
  EXPECT_FALSE(normalize_name("example.com..").ok());  // found by fuzzing
  EXPECT_FALSE(parse_zone("$ORIGIN example.com..\n").ok());
  EXPECT_FALSE(normalize_name(std::string(64, 'a') + ".test").ok());
  EXPECT_FALSE(normalize_name(std::string(254, 'a')).ok());
  EXPECT_EQ(*reverse_name("192.0.2.1"), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(*reverse_name("2001:db8::1"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_EQ(reverse_name("nope").error().kind, ErrorKind::kSyntax);
}

TEST(DnsRdata, MalformedWireDataIsPermanent) {
  EXPECT_EQ(decode_txt("").error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(decode_txt(std::string("\x05"
                                   "ab",
                                   3))
                .error()
                .kind,
            ErrorKind::kPermanent);
  EXPECT_EQ(decode_mx(std::string("\x00\x0a\xc0\x0c", 4)).error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(decode_a("abc").error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(decode_tlsa("ab").error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(*decode_name(name_to_wire("mail.example.com")), "mail.example.com");
  EXPECT_EQ(*decode_txt(std::string("\x02hi\x00\x03you", 8)), "hiyou");
}

TEST(DnsZone, ServfailDirective) {
  auto z = ZoneResolver::from_text(
      "$ORIGIN example.test.\n$SERVFAIL broken\nok A 192.0.2.1\nalias CNAME broken\n");
  ASSERT_TRUE(z.ok()) << z.error().message;
  auto bad = (*z)->txt("broken.example.test");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kTemporary);
  auto via_cname = (*z)->a("alias.example.test");
  ASSERT_FALSE(via_cname.ok());
  EXPECT_EQ(via_cname.error().kind, ErrorKind::kTemporary);
  EXPECT_TRUE((*z)->a("ok.example.test").ok());
}

}  // namespace
}  // namespace mox::dns
