// Tests for lib/message/address.*: RFC 5322 §3.4 address lists, with
// comments, quoted strings, groups, obsolete forms (§4.4) and junk.
#include <gtest/gtest.h>

#include "message/address.h"

namespace mox::message {
namespace {

std::vector<Address> parse_ok(std::string_view s) {
  auto r = parse_address_list(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Address>();
}

TEST(AddressList, Simple) {
  auto v = parse_ok("alice@example.org, Bob Smith <bob@Example.COM>");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "");
  EXPECT_EQ(v[0].localpart, "alice");
  EXPECT_EQ(v[0].domain, "example.org");
  EXPECT_EQ(v[1].name, "Bob Smith");
  EXPECT_EQ(v[1].addr_spec(), "bob@Example.COM");
}

TEST(AddressList, QuotedStringsAndComments) {
  // RFC 5322 Appendix A.1.2 and A.5.
  auto v = parse_ok("\"Joe Q. Public\" <john.q.public@example.com>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Joe Q. Public");
  v = parse_ok("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Pete");
  EXPECT_EQ(v[0].localpart, "pete");
  EXPECT_EQ(v[0].domain, "silly.test");
  v = parse_ok("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Giant; \"Big\" Box");
  v = parse_ok("\"strange local\"@example.org (The (nested) Name)");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].localpart, "strange local");
  EXPECT_EQ(v[0].addr_spec(), "\"strange local\"@example.org");
  EXPECT_EQ(v[0].name, "The (nested) Name");
}

TEST(AddressList, Groups) {
  // RFC 5322 Appendix A.1.3.
  auto v = parse_ok(
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Mary <mary@x.test>");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].group, "A Group");
  EXPECT_EQ(v[0].name, "Ed Jones");
  EXPECT_EQ(v[1].group, "A Group");
  EXPECT_EQ(v[1].addr_spec(), "joe@where.test");
  EXPECT_EQ(v[2].name, "John");
  EXPECT_EQ(v[3].group, "");
  EXPECT_TRUE(parse_ok("Undisclosed recipients:;").empty());
  EXPECT_TRUE(parse_ok("undisclosed-recipients: ;").empty());
  EXPECT_EQ(parse_ok("team: a@x.test, b@x.test").size(), 2u);  // missing ";" at the end
  EXPECT_FALSE(parse_address_list("outer: inner: a@x.test;;").ok());
  EXPECT_FALSE(parse_address_list(": a@x.test;").ok());
}

TEST(AddressList, EmptyGroupsKept) {
  // For IMAP ENVELOPE, which shows groups (RFC 9051 §7.5.2).
  auto v = parse_address_list_keep_groups("Undisclosed recipients:;, a@x.test, t: b@x.test;, e:");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 4u);
  EXPECT_EQ((*v)[0].group, "Undisclosed recipients");
  EXPECT_TRUE((*v)[0].localpart.empty() && (*v)[0].domain.empty() && (*v)[0].name.empty());
  EXPECT_EQ((*v)[1].addr_spec(), "a@x.test");
  EXPECT_EQ((*v)[2].group, "t");
  EXPECT_EQ((*v)[2].addr_spec(), "b@x.test");
  EXPECT_EQ((*v)[3].group, "e");  // at the end, without ";"
  EXPECT_TRUE((*v)[3].localpart.empty());
}

TEST(AddressList, ObsoleteForms) {
  // RFC 5322 Appendix A.6.1: obs-route and empty list elements.
  auto v = parse_ok(
      "Joe Q. Public <john.q.public@example.com>, , Mary Smith <@node.test:mary@example.net>");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].name, "Joe Q. Public");
  EXPECT_EQ(v[1].addr_spec(), "mary@example.net");
  EXPECT_EQ(v[1].route, "@node.test");
  EXPECT_EQ(v[0].route, "");
  v = parse_ok("<@a.test,@b.test:jdoe@c.test>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].addr_spec(), "jdoe@c.test");
  EXPECT_EQ(v[0].route, "@a.test,@b.test");
  // A.6.3: CFWS inside addresses.
  v = parse_ok("John Doe <jdoe@machine(comment).  example>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].domain, "machine.example");
  v = parse_ok("Mary Smith\r\n  <mary@example.net>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Mary Smith");
  v = parse_ok("foo..bar.@docomo.ne.jp, \"a\".b@x.test");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].localpart, "foo..bar.");
  EXPECT_EQ(v[0].addr_spec(), "\"foo..bar.\"@docomo.ne.jp");
  EXPECT_EQ(v[1].localpart, "a.b");
  v = parse_ok("user@[192.0.2.1], <x@[IPv6:2001:db8::1]>");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].domain, "[192.0.2.1]");
  EXPECT_EQ(v[1].domain, "[IPv6:2001:db8::1]");
  EXPECT_TRUE(parse_ok(",,").empty());
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(AddressList, EncodedWordsAndUtf8) {
  auto v = parse_ok("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Keld J\xc3\xb8rn Simonsen");
  v = parse_ok("=?utf-8?b?w4lyaWM=?= =?utf-8?q?_Dupont?= <e@x.test>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "\xc3\x89ric Dupont");
  v = parse_ok(
      "J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbc"
      "cher.example>");  // RFC 6532
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "J\xc3\xb6rg");
  EXPECT_EQ(v[0].localpart, "j\xc3\xb6rg");
  v = parse_ok("Bad \xff Bytes <b@x.test>");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "Bad \xef\xbf\xbd Bytes");
}

TEST(AddressList, Errors) {
  for (const char* bad :
       {"<>", "alice", "Alice <alice@example.org", "\"unterminated <a@b>", "a@b (unterminated",
        "Smith, John <j@x.test>", "a@b c@d", "<a@[unterminated>", "a@", "@b", "a@b..c", "a@b <c@d>",
        "x@y; z@w", "<a@b>>"}) {
    auto r = parse_address_list(bad);
    EXPECT_FALSE(r.ok()) << bad << " gave "
                         << (r.ok() && !r->empty() ? r->front().addr_spec() : "");
  }
}

TEST(AddressList, NulByte) {
  EXPECT_FALSE(parse_address_list(std::string_view("a\0@b", 4)).ok());
  EXPECT_FALSE(parse_address_list(std::string_view("\0", 1)).ok());
}

TEST(AddressList, DeepNestingAndLongInputStayLinear) {
  std::string deep = "a@b " + std::string(100000, '(') + std::string(100000, ')');
  auto v = parse_address_list(deep);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 1u);
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "u" + std::to_string(i) + "@example.org, ";
  auto m = parse_address_list(many);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 20000u);
  // Quadratic on a phrase that is almost an addr-spec would time out here.
  std::string junk;
  for (int i = 0; i < 50000; ++i) junk += "a.";
  EXPECT_FALSE(parse_address_list(junk + "a <x").ok());
}

}  // namespace
}  // namespace mox::message
