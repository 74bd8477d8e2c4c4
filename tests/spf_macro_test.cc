// Tests for lib/spf/macro.h: the examples of RFC 7208 §7.4 and the rules of
// §7.1-7.3 (transformers, delimiters, escapes, URL encoding, truncation).
#include <gtest/gtest.h>

#include <string>

#include "dns/zone.h"
#include "spf/macro.h"

namespace mox::spf {
namespace {

MacroContext example(std::string ip = "192.0.2.3") {
  MacroContext c;
  c.sender = "strong-bad@email.example.com";
  c.local = "strong-bad";
  c.sender_domain = "email.example.com";
  c.domain = "email.example.com";
  c.ip = std::move(ip);
  c.helo = "mx.example.org";
  c.receiver = "mx.example.net";
  c.timestamp = 1700000000;
  return c;
}

std::string expand(std::string_view spec, const MacroContext& c, bool exp = false) {
  auto r = expand_macros(spec, c, exp);
  EXPECT_TRUE(r.ok()) << spec << ": " << r.error().message;
  return r.ok() ? *r : "";
}

TEST(SpfMacro, Rfc7208Section74Letters) {
  MacroContext c = example();
  EXPECT_EQ(expand("%{s}", c), "strong-bad@email.example.com");
  EXPECT_EQ(expand("%{o}", c), "email.example.com");
  EXPECT_EQ(expand("%{d}", c), "email.example.com");
  EXPECT_EQ(expand("%{d4}", c), "email.example.com");
  EXPECT_EQ(expand("%{d3}", c), "email.example.com");
  EXPECT_EQ(expand("%{d2}", c), "example.com");
  EXPECT_EQ(expand("%{d1}", c), "com");
  EXPECT_EQ(expand("%{dr}", c), "com.example.email");
  EXPECT_EQ(expand("%{d2r}", c), "example.email");
  EXPECT_EQ(expand("%{l}", c), "strong-bad");
  EXPECT_EQ(expand("%{l-}", c), "strong.bad");
  EXPECT_EQ(expand("%{lr}", c), "strong-bad");
  EXPECT_EQ(expand("%{lr-}", c), "bad.strong");
  EXPECT_EQ(expand("%{l1r-}", c), "strong");
}

TEST(SpfMacro, Rfc7208Section74Strings) {
  MacroContext c = example();
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", c), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp._spf.%{d2}", c), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", c),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", c),
            "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(expand("%{d2}.trusted-domains.example.net", c),
            "example.com.trusted-domains.example.net");
  MacroContext c6 = example("2001:db8::cb01");
  EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", c6),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, ExplanationOnlyLetters) {
  MacroContext c = example("2001:db8::cb01");
  EXPECT_EQ(expand("%{c} %{r} %{t}", c, true), "2001:db8::cb01 mx.example.net 1700000000");
  EXPECT_FALSE(expand_macros("%{c}.example.com", c, false).ok());  // §7.1
  EXPECT_FALSE(expand_macros("%{r}.example.com", c, false).ok());
  EXPECT_FALSE(expand_macros("%{t}.example.com", c, false).ok());
  c.receiver.clear();
  EXPECT_EQ(expand("%{r}", c, true), "unknown");
  EXPECT_EQ(expand("%{c}", example("::ffff:192.0.2.3"), true), "192.0.2.3");  // mapped: IPv4
}

TEST(SpfMacro, EscapesAndUrlEncoding) {
  MacroContext c = example();
  EXPECT_EQ(expand("a%%b%_c%-d", c, true), "a%b c%20d");
  c.local = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(expand("l=%{L}", c, true), "l=~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(expand("%{H}", c), "mx.example.org");
  EXPECT_EQ(expand("%{h}", c), "mx.example.org");
  c.local = "foo-bar+zip+quux";
  EXPECT_EQ(expand("%{l2r+-}", c), "bar.foo");  // several delimiters
  EXPECT_EQ(expand("%{lR=}", c), "foo-bar+zip+quux");
}

TEST(SpfMacro, SyntaxErrors) {
  MacroContext c = example();
  for (const char* bad :
       {"%", "%{", "%{}", "%{x}", "%{d0}", "%{d2rr}", "%{d!}", "%a", "%(ir)", "sp ace", "tab\t"}) {
    EXPECT_FALSE(expand_macros(bad, c, false).ok()) << bad;
    EXPECT_FALSE(check_macro_string(bad, false).ok()) << bad;
  }
  EXPECT_TRUE(expand_macros("sp ace", c, true).ok());
  EXPECT_EQ(expand("%{d200}", c), "email.example.com");  // more labels than there are
}

TEST(SpfMacro, EndsWithMacro) {
  bool end = false;
  ASSERT_TRUE(check_macro_string("foo.%{d}", false, &end).ok());
  EXPECT_TRUE(end);
  ASSERT_TRUE(check_macro_string("%{d}.com", false, &end).ok());
  EXPECT_FALSE(end);
}

TEST(SpfMacro, TruncatesFromTheLeft) {
  MacroContext c = example();
  c.sender_domain = std::string(60, 'a') + ".example.com";
  std::string out = expand("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.example.com", c);
  EXPECT_LE(out.size(), kMaxDomainLength);
  EXPECT_EQ(out.rfind("example.com.example.com"), out.size() - 23);
  EXPECT_NE(out.front(), '.');
  c.local = std::string(300, 'x');  // one label too long: nothing left to cut
  EXPECT_FALSE(expand_macros("%{l}", c, false).ok());
}

TEST(SpfMacro, ValidatedName) {
  auto z = dns::ZoneResolver::from_text(
      "3.2.0.192.in-addr.arpa. PTR other.example.net.\n"
      "3.2.0.192.in-addr.arpa. PTR mx.email.example.com.\n"
      "3.2.0.192.in-addr.arpa. PTR fake.email.example.com.\n"
      "mx.email.example.com. A 192.0.2.3\n"
      "other.example.net. A 192.0.2.3\n");
  ASSERT_TRUE(z.ok());
  MacroContext c = example();
  EXPECT_EQ(expand("%{p}", c), "unknown");  // no resolver
  c.resolver = z->get();
  EXPECT_EQ(expand("%{p}", c), "mx.email.example.com");  // below %{d} preferred (§7.3)
  c.domain = "example.org";
  EXPECT_EQ(expand("%{p}", c), "other.example.net");
  c.ip = "192.0.2.4";
  EXPECT_EQ(expand("%{p}", c), "unknown");
}

}  // namespace
}  // namespace mox::spf
