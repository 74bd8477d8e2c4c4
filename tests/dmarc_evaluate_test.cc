// Tests for lib/dmarc/lookup.h, evaluate.h and from.h: policy discovery
// with a zone-file resolver (From domain, organizational domain, several
// records, DNS failure, none), alignment, sp=, np=, pct= sampling, and the
// one-From rule of RFC 7489 §6.6.1.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dmarc/evaluate.h"
#include "dmarc/from.h"
#include "dns/zone.h"

namespace mox::dmarc {
namespace {

PublicSuffixList psl() {
  auto p = PublicSuffixList::from_text("com\nexample\nco.uk\n*.ck\n!www.ck\n");
  EXPECT_TRUE(p.ok());
  return std::move(p).value();
}

std::unique_ptr<dns::ZoneResolver> zone(std::string text) {
  auto z = dns::ZoneResolver::from_text(text);
  EXPECT_TRUE(z.ok()) << z.error().message;
  return std::move(z).value();
}

constexpr std::string_view kZone =
    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject; "
    "rua=mailto:r@example.com\"\n"
    "_dmarc.example.com. TXT \"some other text\"\n"
    "_dmarc.own.example.com. TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.example. TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.bad.example. TXT \"v=DMARC1; p=reject; pct=200\"\n"
    "_dmarc.strict.example. TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
    "_dmarc.half.example. TXT \"v=DMARC1; p=reject; pct=50\"\n"
    "_dmarc.nosp.example. TXT \"v=DMARC1; p=quarantine\"\n";

// Every query fails temporarily (SERVFAIL).
class FailingResolver : public dns::Resolver {
 public:
  Result<dns::Response> query(std::string_view, dns::Type) override {
    return temporary_error("SERVFAIL");
  }
};

TEST(DmarcLookup, FromDomainAndOrganizationalDomain) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Lookup l = lookup(*z, p, "Example.COM.");
  EXPECT_EQ(l.status, Status::kPass);
  EXPECT_EQ(l.domain, "example.com");
  ASSERT_TRUE(l.record);
  EXPECT_EQ(l.record->policy, Policy::kReject);
  EXPECT_EQ(l.text, "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:r@example.com");
  // A record at the From domain itself wins.
  l = lookup(*z, p, "own.example.com");
  EXPECT_EQ(l.domain, "own.example.com");
  EXPECT_EQ(l.record->policy, Policy::kNone);
  // Fallback to the organizational domain (§6.6.3 step 4).
  l = lookup(*z, p, "a.b.example.com");
  EXPECT_EQ(l.status, Status::kPass);
  EXPECT_EQ(l.domain, "example.com");
}

TEST(DmarcLookup, NoneSeveralBadTemporary) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Lookup l = lookup(*z, p, "mail.other.com");
  EXPECT_EQ(l.status, Status::kNone);
  EXPECT_FALSE(l.record);
  EXPECT_EQ(l.domain, "other.com");
  l = lookup(*z, p, "two.example");
  EXPECT_EQ(l.status, Status::kPermerror);
  EXPECT_NE(l.problem.find("2 DMARC records"), std::string::npos) << l.problem;
  // Several records at the From domain: no fallback to the organizational domain.
  l = lookup(*z, p, "x.two.example");
  EXPECT_EQ(l.status, Status::kPermerror);
  l = lookup(*z, p, "bad.example");
  EXPECT_EQ(l.status, Status::kPermerror);
  EXPECT_NE(l.problem.find("pct:"), std::string::npos) << l.problem;
  FailingResolver f;
  l = lookup(f, p, "example.com");
  EXPECT_EQ(l.status, Status::kTemperror);
  EXPECT_EQ(status_name(l.status), "temperror");
  l = lookup(*z, p, "a..b");
  EXPECT_EQ(l.status, Status::kPermerror);
}

Identifiers ids(std::string from, std::string spf_domain, bool spf_pass,
                std::vector<std::string> dkim = {}) {
  Identifiers i;
  i.from_domain = std::move(from);
  i.spf_domain = std::move(spf_domain);
  i.spf_pass = spf_pass;
  i.dkim_pass_domains = std::move(dkim);
  return i;
}

TEST(DmarcEvaluate, RelaxedAlignment) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Evaluation e = verify(*z, p, ids("example.com", "bounce.example.com", true), 0);
  EXPECT_EQ(e.status, Status::kPass);
  EXPECT_TRUE(e.spf_aligned);
  EXPECT_FALSE(e.reject);
  e = verify(*z, p, ids("example.com", "other.com", true, {"mail.example.com"}), 0);
  EXPECT_EQ(e.status, Status::kPass);
  EXPECT_FALSE(e.spf_aligned);
  EXPECT_TRUE(e.dkim_aligned);
  // An aligned SPF domain whose check did not pass does not count.
  e = verify(*z, p, ids("example.com", "example.com", false), 0);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_TRUE(e.reject);
  EXPECT_EQ(e.policy, Policy::kReject);
  EXPECT_EQ(e.domain, "example.com");
  e = verify(*z, p, ids("example.com", "bounce.other.test", true, {"other.test"}), 0);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_EQ(
      e.reason,
      "DMARC policy of example.com is reject: no aligned SPF pass (SPF domain bounce.other.test) "
      "and no aligned DKIM signature (signed by other.test)");
}

TEST(DmarcEvaluate, StrictAlignment) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Evaluation e =
      verify(*z, p, ids("strict.example", "bounce.strict.example", true, {"x.strict.example"}), 0);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_FALSE(e.spf_aligned);
  EXPECT_FALSE(e.dkim_aligned);
  e = verify(*z, p, ids("strict.example", "Strict.Example.", true), 0);
  EXPECT_EQ(e.status, Status::kPass);
  EXPECT_TRUE(e.spf_aligned);
  e = verify(*z, p, ids("strict.example", "", false, {"STRICT.example"}), 0);
  EXPECT_EQ(e.status, Status::kPass);
  EXPECT_TRUE(e.dkim_aligned);
  EXPECT_TRUE(aligned(p, "a.example.com", "b.example.com", Alignment::kRelaxed));
  EXPECT_FALSE(aligned(p, "a.example.com", "b.example.com", Alignment::kStrict));
  EXPECT_FALSE(aligned(p, "example.co.uk", "other.co.uk", Alignment::kRelaxed));
  EXPECT_FALSE(aligned(p, "", "", Alignment::kRelaxed));
}

TEST(DmarcEvaluate, SubdomainAndNonexistentPolicy) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  // sp= for a subdomain whose record is the organizational domain's.
  Evaluation e = verify(*z, p, ids("sub.example.com", "x.test", true), 0);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_EQ(e.policy, Policy::kQuarantine);
  EXPECT_TRUE(e.reject);
  // np= when the From domain does not exist.
  Identifiers i = ids("ghost.example.com", "x.test", true);
  i.from_domain_exists = false;
  e = verify(*z, p, i, 0);
  EXPECT_EQ(e.policy, Policy::kReject);
  // Without sp=, p= applies to subdomains; without np=, sp= or p=.
  i = ids("sub.nosp.example", "x.test", false);
  i.from_domain_exists = false;
  e = verify(*z, p, i, 0);
  EXPECT_EQ(e.policy, Policy::kQuarantine);
  EXPECT_TRUE(e.reject);
  // The own record of own.example.com says none: nothing rejected.
  e = verify(*z, p, ids("own.example.com", "x.test", false), 0);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_EQ(e.policy, Policy::kNone);
  EXPECT_FALSE(e.reject);
}

TEST(DmarcEvaluate, PercentSampling) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Evaluation e = verify(*z, p, ids("half.example", "x.test", false), 49);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_TRUE(e.reject);
  e = verify(*z, p, ids("half.example", "x.test", false), 50);
  EXPECT_EQ(e.status, Status::kFail);
  EXPECT_FALSE(e.reject);
  EXPECT_NE(e.reason.find("pct=50"), std::string::npos) << e.reason;
  e = verify(*z, p, ids("example.com", "x.test", false), 99);
  EXPECT_TRUE(e.reject);
}

TEST(DmarcEvaluate, NoRecordErrorsAndTemperror) {
  auto z = zone(std::string(kZone));
  PublicSuffixList p = psl();
  Evaluation e = verify(*z, p, ids("other.com", "other.com", false), 0);
  EXPECT_EQ(e.status, Status::kNone);
  EXPECT_FALSE(e.reject);
  e = verify(*z, p, ids("two.example", "x.test", false), 0);
  EXPECT_EQ(e.status, Status::kPermerror);
  EXPECT_FALSE(e.reject);
  FailingResolver f;
  e = verify(f, p, ids("example.com", "x.test", false), 0);
  EXPECT_EQ(e.status, Status::kTemperror);
  EXPECT_FALSE(e.reject);
  // A temporary SPF or DKIM error without an aligned pass: temperror, no reject.
  Identifiers i = ids("example.com", "x.test", false);
  i.dkim_temperror = true;
  e = verify(*z, p, i, 0);
  EXPECT_EQ(e.status, Status::kTemperror);
  EXPECT_FALSE(e.reject);
}

TEST(DmarcFrom, ExactlyOneFrom) {
  auto d = from_domain("From: Alice <alice@Mail.Example.COM>\r\nTo: b@x.test\r\n\r\nbody\r\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, "mail.example.com");
  d = from_domain("To: b@x.test\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(d.error().message, "no From header");
  d = from_domain("From: a@x.test, b@y.test\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "message has 2 From addresses");
  d = from_domain("From: undisclosed:;\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "message has 0 From addresses");
  d = from_domain("From: a@x.test\r\nFROM: a@x.test\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "several From header fields");
  d = from_domain("From: a@[192.0.2.1]\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::kPermanent);
  d = from_domain("From: <<<\r\n\r\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::kPermanent);
}

}  // namespace
}  // namespace mox::dmarc
