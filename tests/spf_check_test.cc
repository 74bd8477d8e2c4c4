// Tests for lib/spf/check.h: the examples of RFC 7208 Appendix A with the
// zone given there, and cases per section: mechanisms, include mapping,
// redirect, exp, limits, IPv6, HELO and the null sender, DNS failures.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "dns/zone.h"
#include "spf/check.h"
#include "spf/header.h"

namespace mox::spf {
namespace {

// RFC 7208 Appendix A: the example.com and example.org zone, and the
// records of A.2-A.4.
constexpr std::string_view kZone = R"(
example.com.          A   192.0.2.10
example.com.          A   192.0.2.11
amy.example.com.      A   192.0.2.65
bob.example.com.      A   192.0.2.66
mail-a.example.com.   A   192.0.2.129
mail-b.example.com.   A   192.0.2.130
www.example.com.      CNAME example.com.
example.com.          MX  10 mail-a.example.com.
example.com.          MX  20 mail-b.example.com.
example.org.          MX  10 mail-c.example.org.
mail-c.example.org.   A   192.0.2.140
10.2.0.192.in-addr.arpa.   PTR example.com.
11.2.0.192.in-addr.arpa.   PTR example.com.
65.2.0.192.in-addr.arpa.   PTR amy.example.com.
66.2.0.192.in-addr.arpa.   PTR bob.example.com.
129.2.0.192.in-addr.arpa.  PTR mail-a.example.com.
130.2.0.192.in-addr.arpa.  PTR mail-b.example.com.
140.2.0.192.in-addr.arpa.  PTR mail-c.example.org.
10.0.0.10.in-addr.arpa.    PTR bob.example.com.
)";

// A zone-file resolver with example.com's TXT record replaced, and names
// whose every lookup fails temporarily.
class TestResolver : public dns::Resolver {
 public:
  explicit TestResolver(std::string extra, std::string example_com_txt = "") {
    std::string text(kZone);
    if (!example_com_txt.empty()) text += "example.com. TXT \"" + example_com_txt + "\"\n";
    auto z = dns::ZoneResolver::from_text(text + extra);
    if (!z) ADD_FAILURE() << z.error().message;
    if (z) zone_ = std::move(z).value();
  }
  Result<dns::Response> query(std::string_view name, dns::Type type) override {
    ++queries;
    if (name.find("servfail") != std::string_view::npos) return temporary_error("SERVFAIL");
    return zone_->query(name, type);
  }
  int queries = 0;

 private:
  std::unique_ptr<dns::ZoneResolver> zone_;
};

Received check(TestResolver& r, const std::string& ip, const std::string& from = "x@example.com") {
  Query q;
  q.ip = ip;
  q.mail_from = from;
  q.helo = "mail.example.net";
  return verify(r, q).mail_from;
}

// Appendix A.1: which of the example hosts pass with each record.
TEST(SpfCheck, AppendixA1) {
  struct {
    const char* record;
    std::vector<std::string> pass;
  } cases[] = {
      {"v=spf1 +all", {"*"}},
      {"v=spf1 a -all", {"192.0.2.10", "192.0.2.11"}},
      {"v=spf1 a:example.org -all", {}},
      {"v=spf1 mx -all", {"192.0.2.129", "192.0.2.130"}},
      {"v=spf1 mx:example.org -all", {"192.0.2.140"}},
      {"v=spf1 mx mx:example.org -all", {"192.0.2.129", "192.0.2.130", "192.0.2.140"}},
      {"v=spf1 mx/30 mx:example.org/30 -all",
       {"192.0.2.128", "192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"}},
      {"v=spf1 ptr -all",
       {"192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130"}},
      {"v=spf1 ip4:192.0.2.128/28 -all",
       {"192.0.2.128", "192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"}},
  };
  const std::vector<std::string> hosts = {
      "192.0.2.10",  "192.0.2.11",  "192.0.2.65",  "192.0.2.66",  "192.0.2.128", "192.0.2.129",
      "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143", "192.0.2.144", "10.0.0.10"};
  for (const auto& c : cases) {
    TestResolver r("", c.record);
    for (const auto& h : hosts) {
      bool want = c.pass == std::vector<std::string>{"*"} ||
                  std::find(c.pass.begin(), c.pass.end(), h) != c.pass.end();
      Received got = check(r, h);
      EXPECT_EQ(got.status, want ? Status::kPass : Status::kFail)
          << c.record << " " << h << " " << got.problem;
    }
  }
}

// Appendix A.2: a union of other domains' senders, and redirects to it.
TEST(SpfCheck, AppendixA2) {
  TestResolver r(
      "example.org. TXT \"v=spf1 include:example.com include:example.net -all\"\n"
      "example.net. TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
      "la.example.org. TXT \"v=spf1 redirect=example.org\"\n"
      "ny.example.org. TXT \"v=spf1 redirect=example.org\"\n",
      "v=spf1 mx -all");
  EXPECT_EQ(check(r, "192.0.2.129", "a@example.org").status, Status::kPass);
  EXPECT_EQ(check(r, "198.51.100.7", "a@example.org").status, Status::kPass);
  EXPECT_EQ(check(r, "192.0.2.10", "a@example.org").status, Status::kFail);
  EXPECT_EQ(check(r, "198.51.100.7", "a@la.example.org").status, Status::kPass);
  Received f = check(r, "192.0.2.10", "a@ny.example.org");
  EXPECT_EQ(f.status, Status::kFail);
  EXPECT_EQ(f.mechanism, "-all");
  EXPECT_EQ(f.domain, "ny.example.org");
}

// Appendix A.3: DNS blacklist style with exists and macros.
TEST(SpfCheck, AppendixA3) {
  TestResolver r(
      "$ORIGIN _spf.example.com.\n"
      "mary.mobile-users                    A 127.0.0.2\n"
      "fred.mobile-users                    A 127.0.0.2\n"
      "15.15.168.192.joel.remote-users      A 127.0.0.2\n"
      "16.15.168.192.joel.remote-users      A 127.0.0.2\n"
      "mobile-users TXT \"v=spf1 exists:%{l1r+}.%{d}\"\n"
      "remote-users TXT \"v=spf1 exists:%{ir}.%{l1r+}.%{d}\"\n",
      "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all");
  EXPECT_EQ(check(r, "203.0.113.9", "mary@example.com").status, Status::kPass);
  EXPECT_EQ(check(r, "203.0.113.9", "fred@example.com").status, Status::kPass);
  EXPECT_EQ(check(r, "203.0.113.9", "fred+wildcard@example.com").status, Status::kPass);
  EXPECT_EQ(check(r, "203.0.113.9", "joel@example.com").status, Status::kFail);
  EXPECT_EQ(check(r, "192.168.15.15", "joel@example.com").status, Status::kPass);
  EXPECT_EQ(check(r, "192.168.15.16", "joel@example.com").status, Status::kPass);
  EXPECT_EQ(check(r, "192.168.15.17", "joel@example.com").status, Status::kFail);
  EXPECT_EQ(check(r, "192.0.2.129", "anyone@example.com").status, Status::kPass);
}

// Appendix A.4: both the address range and a reverse name in example.com
// (with the correction of erratum 6216: "-ptr:example.com", since a bare
// "ptr" in the included record would look for ptr._spf.example.com).
TEST(SpfCheck, AppendixA4) {
  TestResolver r(
      "ip4._spf.example.com. TXT \"v=spf1 -ip4:192.0.2.0/24 +all\"\n"
      "ptr._spf.example.com. TXT \"v=spf1 -ptr:example.com +all\"\n",
      "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all");
  EXPECT_EQ(check(r, "192.0.2.10").status, Status::kPass);
  EXPECT_EQ(check(r, "192.0.2.65").status, Status::kPass);
  EXPECT_EQ(check(r, "192.0.2.140").status, Status::kFail);  // reverse name in example.org
  EXPECT_EQ(check(r, "10.0.0.10").status, Status::kFail);    // outside the range
  EXPECT_EQ(check(r, "192.0.2.12").status, Status::kFail);   // no PTR
}

TEST(SpfCheck, RecordSelection) {
  TestResolver r(
      "two.example.net. TXT \"v=spf1 -all\"\n"
      "two.example.net. TXT \"V=SPF1 +all\"\n"
      "other.example.net. TXT \"google-site-verification=x\"\n"
      "other.example.net. TXT \"v=spf1 ip4:192.0.2.1\"\n"
      "bad.example.net. TXT \"v=spf1 ip4:192.0.2.1 -alll\"\n"
      "nodata.example.net. A 192.0.2.1\n"
      "servfail.example.net. TXT \"v=spf1 +all\"\n");
  EXPECT_EQ(check(r, "192.0.2.1", "a@two.example.net").status, Status::kPermerror);
  EXPECT_EQ(check(r, "192.0.2.1", "a@other.example.net").status, Status::kPass);
  Received bad = check(r, "192.0.2.1", "a@bad.example.net");
  EXPECT_EQ(bad.status, Status::kPermerror);
  EXPECT_NE(bad.problem.find("-alll"), std::string::npos) << bad.problem;
  EXPECT_EQ(check(r, "192.0.2.1", "a@nodata.example.net").status, Status::kNone);
  EXPECT_EQ(check(r, "192.0.2.1", "a@nxdomain.example.net").status, Status::kNone);
  EXPECT_EQ(check(r, "192.0.2.1", "a@servfail.example.net").status, Status::kTemperror);
  EXPECT_EQ(check(r, "192.0.2.1", "a@[192.0.2.1]").status, Status::kNone);
  for (const char* d :
       {"a@localhost", "a@foo..example.net",
        "a@x123456789012345678901234567890123456789012345678901234567890abcd.example.net"}) {
    Received n = check(r, "192.0.2.1", d);
    EXPECT_EQ(n.status, Status::kNone) << d;
    EXPECT_FALSE(n.problem.empty()) << d;
  }
}

TEST(SpfCheck, Mechanisms) {
  TestResolver r(
      "t.example.net. TXT \"v=spf1 a:dual.example.net/24//64 -all\"\n"
      "dual.example.net. A 198.51.100.1\n"
      "dual.example.net. AAAA 2001:db8:1::1\n"
      "ex.example.net. TXT \"v=spf1 exists:%{i}.allow.example.net -all\"\n"
      "198.51.100.9.allow.example.net. A 127.0.0.2\n"
      "6.example.net. TXT \"v=spf1 ip6:2001:db8::/32 ip4:0.0.0.0/0 -all\"\n"
      "ptr.example.net. TXT \"v=spf1 ptr:example.com -all\"\n");
  EXPECT_EQ(check(r, "198.51.100.200", "a@t.example.net").status, Status::kPass);
  EXPECT_EQ(check(r, "198.51.101.1", "a@t.example.net").status, Status::kFail);
  EXPECT_EQ(check(r, "2001:db8:1::ffff", "a@t.example.net").status, Status::kPass);
  EXPECT_EQ(check(r, "2001:db8:1:1::1", "a@t.example.net").status, Status::kFail);
  EXPECT_EQ(check(r, "::ffff:198.51.100.3", "a@t.example.net").status, Status::kPass);  // mapped
  EXPECT_EQ(check(r, "198.51.100.9", "a@ex.example.net").status, Status::kPass);
  EXPECT_EQ(check(r, "198.51.100.8", "a@ex.example.net").status, Status::kFail);
  Received six = check(r, "2001:db8::5", "a@6.example.net");
  EXPECT_EQ(six.status, Status::kPass);
  EXPECT_EQ(six.mechanism, "ip6:2001:db8::/32");
  EXPECT_EQ(check(r, "2001:db9::5", "a@6.example.net").status,
            Status::kFail);  // ip4 never matches IPv6
  EXPECT_EQ(check(r, "::ffff:1.2.3.4", "a@6.example.net").mechanism, "ip4:0.0.0.0/0");
  EXPECT_EQ(check(r, "192.0.2.66", "a@ptr.example.net").status, Status::kPass);
  EXPECT_EQ(check(r, "10.0.0.10", "a@ptr.example.net").status, Status::kFail);  // not validated
}

TEST(SpfCheck, IncludeResultMapping) {
  TestResolver r(
      "pass.example.net. TXT \"v=spf1 +all\"\n"
      "fail.example.net. TXT \"v=spf1 -all\"\n"
      "soft.example.net. TXT \"v=spf1 ~all\"\n"
      "neutral.example.net. TXT \"v=spf1 ?all\"\n"
      "perm.example.net. TXT \"v=spf1 foo\"\n"
      "i-pass.example.net. TXT \"v=spf1 include:pass.example.net -all\"\n"
      "i-fail.example.net. TXT \"v=spf1 include:fail.example.net ~all\"\n"
      "i-soft.example.net. TXT \"v=spf1 include:soft.example.net ~all\"\n"
      "i-neutral.example.net. TXT \"v=spf1 include:neutral.example.net ~all\"\n"
      "i-temp.example.net. TXT \"v=spf1 include:servfail.example.net ~all\"\n"
      "i-perm.example.net. TXT \"v=spf1 include:perm.example.net ~all\"\n"
      "i-none.example.net. TXT \"v=spf1 include:none.example.net ~all\"\n");
  auto st = [&](const char* d) { return check(r, "192.0.2.1", std::string("a@") + d).status; };
  EXPECT_EQ(st("i-pass.example.net"), Status::kPass);
  EXPECT_EQ(st("i-fail.example.net"), Status::kSoftfail);
  EXPECT_EQ(st("i-soft.example.net"), Status::kSoftfail);
  EXPECT_EQ(st("i-neutral.example.net"), Status::kSoftfail);
  EXPECT_EQ(st("i-temp.example.net"), Status::kTemperror);
  EXPECT_EQ(st("i-perm.example.net"), Status::kPermerror);
  EXPECT_EQ(st("i-none.example.net"), Status::kPermerror);
}

TEST(SpfCheck, Redirect) {
  TestResolver r(
      "r.example.net. TXT \"v=spf1 ip4:192.0.2.1 redirect=target.example.net\"\n"
      "target.example.net. TXT \"v=spf1 ~all\"\n"
      "norecord.example.net. TXT \"v=spf1 redirect=a.example.com\"\n"
      "all.example.net. TXT \"v=spf1 ?all redirect=servfail.example.net\"\n"
      "a.example.com. A 192.0.2.1\n");
  EXPECT_EQ(check(r, "192.0.2.1", "a@r.example.net").status, Status::kPass);
  Received t = check(r, "192.0.2.2", "a@r.example.net");
  EXPECT_EQ(t.status, Status::kSoftfail);
  EXPECT_EQ(t.mechanism, "~all");
  // No record at the target: permerror, not none (§6.1).
  EXPECT_EQ(check(r, "192.0.2.2", "a@norecord.example.net").status, Status::kPermerror);
  // A matching directive wins; the redirect is not looked at (§6.1).
  EXPECT_EQ(check(r, "192.0.2.2", "a@all.example.net").status, Status::kNeutral);
}

TEST(SpfCheck, Explanation) {
  TestResolver r(
      "e.example.net. TXT \"v=spf1 -all exp=why.%{d}\"\n"
      "why.e.example.net. TXT \"%{i} is not one of %{d}'s designated mail servers, says %{r}.\"\n"
      "two.example.net. TXT \"v=spf1 -all exp=why2.example.net\"\n"
      "why2.example.net. TXT \"one\"\n"
      "why2.example.net. TXT \"two\"\n"
      "bad.example.net. TXT \"v=spf1 -all exp=why3.example.net\"\n"
      "why3.example.net. TXT \"bad %{x} macro\"\n"
      "none.example.net. TXT \"v=spf1 -all exp=nothing.example.net\"\n"
      "err.example.net. TXT \"v=spf1 -all exp=servfail.example.net\"\n"
      "soft.example.net. TXT \"v=spf1 ~all exp=why.e.example.net\"\n"
      "inc.example.net. TXT \"v=spf1 include:e.example.net -all\"\n"
      "red.example.net. TXT \"v=spf1 exp=why.e.example.net redirect=e2.example.net\"\n"
      "e2.example.net. TXT \"v=spf1 -all\"\n");
  Query q;
  q.ip = "192.0.2.1";
  q.helo = "mail.example.org";
  q.receiver = "mx.example.org";
  q.mail_from = "a@e.example.net";
  Received e = verify(r, q).mail_from;
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_EQ(
      e.explanation,
      "192.0.2.1 is not one of e.example.net's designated mail servers, says mx.example.org.");
  const std::string dflt = " does not designate 192.0.2.1 as permitted sender";
  for (const char* d :
       {"two.example.net", "bad.example.net", "none.example.net", "err.example.net"}) {
    Received f = check(r, "192.0.2.1", std::string("a@") + d);
    EXPECT_EQ(f.status, Status::kFail) << d;
    EXPECT_EQ(f.explanation, d + dflt) << d;
  }
  EXPECT_EQ(check(r, "192.0.2.1", "a@soft.example.net").explanation, "");  // fail only
  // The included record's exp= is not used (§6.2); with redirect, the target's is.
  EXPECT_EQ(check(r, "192.0.2.2", "a@inc.example.net").explanation,
            "inc.example.net does not designate 192.0.2.2 as permitted sender");
  EXPECT_EQ(check(r, "192.0.2.1", "a@red.example.net").explanation, "e2.example.net" + dflt);
}

TEST(SpfCheck, LookupLimit) {
  std::string zone;
  for (int i = 0; i < 12; ++i)
    zone += "h" + std::to_string(i) + ".example.net. A 198.51.100." + std::to_string(i) + "\n";
  std::string ten = "v=spf1", eleven;
  for (int i = 0; i < 10; ++i) ten += " a:h" + std::to_string(i) + ".example.net";
  eleven = ten + " a:h10.example.net";
  zone += "ten.example.net. TXT \"" + ten + " -all\"\n";
  zone += "eleven.example.net. TXT \"" + eleven + " -all\"\n";
  zone += "inc.example.net. TXT \"v=spf1 include:ten.example.net -all\"\n";
  zone += "loop.example.net. TXT \"v=spf1 include:loop.example.net -all\"\n";
  zone += "rloop.example.net. TXT \"v=spf1 redirect=rloop2.example.net\"\n";
  zone += "rloop2.example.net. TXT \"v=spf1 redirect=rloop.example.net\"\n";
  TestResolver r(zone);
  EXPECT_EQ(check(r, "198.51.100.9", "a@ten.example.net").status, Status::kPass);
  EXPECT_EQ(check(r, "198.51.100.99", "a@ten.example.net").status, Status::kFail);
  Received over = check(r, "198.51.100.10", "a@eleven.example.net");
  EXPECT_EQ(over.status, Status::kPermerror);
  EXPECT_NE(over.problem.find("too many DNS lookups"), std::string::npos) << over.problem;
  EXPECT_EQ(check(r, "198.51.100.0", "a@eleven.example.net").status,
            Status::kPass);  // lazy counting
  EXPECT_EQ(check(r, "198.51.100.9", "a@inc.example.net").status,
            Status::kPermerror);  // include + 10
  EXPECT_EQ(check(r, "198.51.100.9", "a@loop.example.net").status, Status::kPermerror);
  EXPECT_EQ(check(r, "198.51.100.9", "a@rloop.example.net").status, Status::kPermerror);
}

TEST(SpfCheck, VoidLookupLimit) {
  TestResolver r(
      "two.example.net. TXT \"v=spf1 a:n1.example.net mx:n2.example.net ?all\"\n"
      "three.example.net. TXT \"v=spf1 a:n1.example.net mx:n2.example.net exists:n3.example.net "
      "?all\"\n"
      "n2.example.net. A 192.0.2.9\n");
  EXPECT_EQ(check(r, "192.0.2.1", "a@two.example.net").status, Status::kNeutral);
  Received v = check(r, "192.0.2.1", "a@three.example.net");
  EXPECT_EQ(v.status, Status::kPermerror);
  EXPECT_NE(v.problem.find("void"), std::string::npos);
}

TEST(SpfCheck, MxLimit) {
  std::string zone =
      "mx.example.net. TXT \"v=spf1 mx -all\"\nmx10.example.net. TXT \"v=spf1 mx -all\"\n";
  for (int i = 0; i < 11; ++i) {
    zone +=
        "mx.example.net. MX " + std::to_string(i) + " m" + std::to_string(i) + ".example.net.\n";
    if (i < 10)
      zone += "mx10.example.net. MX " + std::to_string(i) + " m" + std::to_string(i) +
              ".example.net.\n";
    zone += "m" + std::to_string(i) + ".example.net. A 198.51.100." + std::to_string(i) + "\n";
  }
  TestResolver r(zone);
  EXPECT_EQ(check(r, "198.51.100.3", "a@mx.example.net").status, Status::kPermerror);
  EXPECT_EQ(check(r, "198.51.100.9", "a@mx10.example.net").status, Status::kPass);
}

TEST(SpfCheck, HeloAndNullSender) {
  TestResolver r("mail.example.net. TXT \"v=spf1 a -all\"\nmail.example.net. A 192.0.2.7\n");
  Query q;
  q.ip = "192.0.2.7";
  q.helo = "mail.example.net";
  Verdict v = verify(r, q);
  EXPECT_EQ(v.helo.status, Status::kPass);
  EXPECT_EQ(v.helo.identity, "helo");
  EXPECT_EQ(v.helo.sender, "postmaster@mail.example.net");
  EXPECT_EQ(v.mail_from.status, Status::kPass);
  EXPECT_EQ(v.mail_from.identity, "mailfrom");
  EXPECT_EQ(v.mail_from.sender, "postmaster@mail.example.net");
  q.helo = "[192.0.2.7]";
  v = verify(r, q);
  EXPECT_EQ(v.helo.status, Status::kNone);
  EXPECT_FALSE(v.helo.problem.empty());
  EXPECT_EQ(v.mail_from.status, Status::kNone);
  q.helo = "localhost";
  EXPECT_EQ(verify(r, q).helo.status, Status::kNone);
  q.mail_from = "@mail.example.net";  // no local part: postmaster (§4.3)
  q.ip = "192.0.2.8";
  EXPECT_EQ(verify(r, q).mail_from.status, Status::kFail);
}

TEST(SpfCheck, BadClientIp) {
  TestResolver r("");
  EXPECT_EQ(check(r, "not-an-ip").status, Status::kPermerror);
}

// A resolver that takes its time: the check's budget runs out (§4.6.4).
class SlowResolver : public TestResolver {
 public:
  using TestResolver::TestResolver;
  Result<dns::Response> query(std::string_view name, dns::Type type) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return TestResolver::query(name, type);
  }
};

TEST(SpfCheck, TimeBudget) {
  SlowResolver r("", "v=spf1 a:amy.example.com a:bob.example.com a:www.example.com mx -all");
  Query q;
  q.ip = "192.0.2.129";
  q.mail_from = "x@example.com";
  q.helo = "mail.example.net";
  q.budget = std::chrono::milliseconds(30);
  Received got = check_host(r, q, "example.com", q.mail_from);
  EXPECT_EQ(got.status, Status::kTemperror);
  EXPECT_NE(got.problem.find("time budget"), std::string::npos) << got.problem;
  q.budget = std::chrono::seconds(20);
  EXPECT_EQ(check_host(r, q, "example.com", q.mail_from).status, Status::kPass);
}

TEST(SpfHeader, ReceivedSpf) {
  Received r;
  r.status = Status::kPass;
  r.identity = "mailfrom";
  r.sender = "myname@example.com";
  r.mechanism = "mx";
  Query q;
  q.ip = "192.0.2.1";
  q.mail_from = "myname@example.com";
  q.helo = "foo.example.com";
  q.receiver = "mybox.example.org";
  EXPECT_EQ(received_spf_header(r, q),
            "Received-SPF: pass (mybox.example.org: domain of myname@example.com designates\r\n"
            "\t192.0.2.1 as permitted sender) client-ip=192.0.2.1;\r\n"
            "\tenvelope-from=\"myname@example.com\"; helo=foo.example.com;\r\n"
            "\tmechanism=mx; receiver=mybox.example.org; identity=mailfrom\r\n");
  r.status = Status::kPermerror;
  r.mechanism.clear();
  r.problem = "bad \"term\" (x)";
  q.ip = "2001:db8::1";
  std::string h = received_spf_header(r, q);
  EXPECT_NE(h.find("client-ip=\"2001:db8::1\";"), std::string::npos) << h;
  EXPECT_NE(h.find("problem=\"bad \\\"term\\\" (x)\";"), std::string::npos) << h;
  EXPECT_EQ(h.find("mechanism="), std::string::npos);
  size_t start = 0;
  while (start < h.size()) {
    size_t end = h.find("\r\n", start);
    EXPECT_LE(end - start, 78u) << h;
    start = end + 2;
  }
}

}  // namespace
}  // namespace mox::spf
