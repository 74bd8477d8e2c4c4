// Tests for lib/dmarc/record.h: every tag, bad values, unknown tags, case,
// white space, the p= fallback of RFC 7489 §6.6.3, and the example records
// of RFC 7489 Appendix B.2.
#include <gtest/gtest.h>

#include <string>

#include "dmarc/record.h"

namespace mox::dmarc {
namespace {

Record parse_ok(std::string_view txt) {
  auto r = parse_record(txt);
  EXPECT_TRUE(r.ok()) << txt << ": " << r.error().message;
  return r.ok() ? *r : Record{};
}

// kSyntax whose message starts with the tag at fault.
void expect_bad(std::string_view txt, std::string_view tag) {
  auto r = parse_record(txt);
  ASSERT_FALSE(r.ok()) << txt;
  EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
  EXPECT_TRUE(r.error().message.starts_with(tag)) << txt << ": " << r.error().message;
}

TEST(DmarcRecord, Minimal) {
  Record r = parse_ok("v=DMARC1; p=reject");
  EXPECT_EQ(r.policy, Policy::kReject);
  EXPECT_FALSE(r.subdomain_policy);
  EXPECT_FALSE(r.nonexistent_policy);
  EXPECT_EQ(r.percent, 100);
  EXPECT_EQ(r.adkim, Alignment::kRelaxed);
  EXPECT_EQ(r.aspf, Alignment::kRelaxed);
  EXPECT_TRUE(r.rua.empty());
  EXPECT_TRUE(r.ruf.empty());
  EXPECT_EQ(r.fo, "0");
  EXPECT_EQ(r.rf, "afrf");
  EXPECT_EQ(r.interval, 86400u);
  EXPECT_EQ(r.text(), "v=DMARC1; p=reject");
}

TEST(DmarcRecord, EveryTag) {
  Record r = parse_ok(
      "v=DMARC1; p=quarantine; sp=reject; np=none; pct=20; adkim=s; aspf=s; "
      "rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; "
      "fo=1:d:s; rf=afrf; ri=3600");
  EXPECT_EQ(r.policy, Policy::kQuarantine);
  EXPECT_EQ(r.subdomain_policy, Policy::kReject);
  EXPECT_EQ(r.nonexistent_policy, Policy::kNone);
  EXPECT_EQ(r.percent, 20);
  EXPECT_EQ(r.adkim, Alignment::kStrict);
  EXPECT_EQ(r.aspf, Alignment::kStrict);
  EXPECT_EQ(r.rua, (std::vector<std::string>{"mailto:a@example.com", "mailto:b@example.net!10m"}));
  EXPECT_EQ(r.ruf, (std::vector<std::string>{"mailto:f@example.com"}));
  EXPECT_EQ(r.fo, "1:d:s");
  EXPECT_EQ(r.interval, 3600u);
  EXPECT_EQ(parse_ok(r.text()), r);
  EXPECT_EQ(r.text(),
            "v=DMARC1; p=quarantine; sp=reject; np=none; adkim=s; aspf=s; pct=20; "
            "rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; "
            "fo=1:d:s; ri=3600");
}

TEST(DmarcRecord, CaseAndWhiteSpace) {
  // Tag names and keywords are case-insensitive ABNF strings (RFC 5234 §2.3).
  Record r = parse_ok("V = DMARC1 ;\tP = Reject ; SP=NONE; ADKIM = S;aspf=R ; PCT = 5 ;");
  EXPECT_EQ(r.policy, Policy::kReject);
  EXPECT_EQ(r.subdomain_policy, Policy::kNone);
  EXPECT_EQ(r.adkim, Alignment::kStrict);
  EXPECT_EQ(r.aspf, Alignment::kRelaxed);
  EXPECT_EQ(r.percent, 5);
  r = parse_ok("v=DMARC1; p=none; rua = mailto:a@x.example ,\t mailto:b@x.example ; fo = 1 : D");
  EXPECT_EQ(r.rua.size(), 2u);
  EXPECT_EQ(r.rua[1], "mailto:b@x.example");
  EXPECT_EQ(r.fo, "1:d");
  // The version is %x-escaped: exact case.
  expect_bad("v=dmarc1; p=none", "v:");
  EXPECT_FALSE(is_dmarc_record("v=dmarc1; p=none"));
}

TEST(DmarcRecord, IsDmarcRecord) {
  EXPECT_TRUE(is_dmarc_record("v=DMARC1; p=none"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1 ;p=none"));
  EXPECT_TRUE(is_dmarc_record(" V = DMARC1;"));
  EXPECT_FALSE(is_dmarc_record("v=DMARC10; p=none"));
  EXPECT_FALSE(is_dmarc_record("v=spf1 -all"));
  EXPECT_FALSE(is_dmarc_record("p=none; v=DMARC1"));
  EXPECT_FALSE(is_dmarc_record(""));
}

TEST(DmarcRecord, UnknownTagsIgnored) {
  Record r = parse_ok("v=DMARC1; p=reject; future=whatever value; t=y; psd=n; x_1=");
  EXPECT_EQ(r, parse_ok("v=DMARC1; p=reject"));
}

TEST(DmarcRecord, BadValues) {
  expect_bad("v=DMARC1; p=reject; pct=101", "pct:");
  expect_bad("v=DMARC1; p=reject; pct=-1", "pct:");
  expect_bad("v=DMARC1; p=reject; pct=", "pct:");
  expect_bad("v=DMARC1; p=reject; pct=0050", "pct:");
  expect_bad("v=DMARC1; p=reject; adkim=x", "adkim:");
  expect_bad("v=DMARC1; p=reject; aspf=relaxed", "aspf:");
  expect_bad("v=DMARC1; p=reject; np=bounce", "np:");
  expect_bad("v=DMARC1; p=reject; fo=2", "fo:");
  expect_bad("v=DMARC1; p=reject; rf=a f", "rf:");
  expect_bad("v=DMARC1; p=reject; ri=1h", "ri:");
  expect_bad("v=DMARC1; p=reject; ri=4294967296", "ri:");
  expect_bad("v=DMARC1; p=reject; rua=a@example.com", "rua:");
  expect_bad("v=DMARC1; p=reject; ruf=mailto:a@example.com!10x", "ruf:");
  expect_bad("v=DMARC1; p=reject; rua=mailto:a@example.com,", "rua:");
  expect_bad("v=DMARC1; p=reject; p=none", "p:");
  expect_bad("v=DMARC1; p=reject; junk", "malformed tag");
  expect_bad("v=DMARC1; p=reject; 1x=y", "malformed tag name");
  expect_bad("p=reject", "v:");
  expect_bad("", "v:");
  EXPECT_EQ(parse_ok("v=DMARC1; p=reject; pct=0").percent, 0);
  EXPECT_EQ(parse_ok("v=DMARC1; p=reject; ri=4294967295").interval, 4294967295u);
  EXPECT_EQ(parse_ok("v=DMARC1; p=none; rua=https://r.example/x!5G").rua[0],
            "https://r.example/x!5G");
}

TEST(DmarcRecord, MissingPolicy) {
  // §6.6.3 step 6: no valid p= but a valid rua=: as if p=none.
  Record r = parse_ok("v=DMARC1; rua=mailto:agg@example.com");
  EXPECT_EQ(r.policy, Policy::kNone);
  r = parse_ok("v=DMARC1; p=bogus; sp=reject; rua=mailto:agg@example.com");
  EXPECT_EQ(r.policy, Policy::kNone);
  EXPECT_FALSE(r.subdomain_policy);
  r = parse_ok("v=DMARC1; p=reject; sp=bogus; rua=mailto:agg@example.com");
  EXPECT_EQ(r.policy, Policy::kNone);
  // Otherwise not a usable record.
  expect_bad("v=DMARC1", "p: missing");
  expect_bad("v=DMARC1; sp=reject", "p: missing");
  expect_bad("v=DMARC1; p=bogus", "p: must be");
  expect_bad("v=DMARC1; p=reject; sp=bogus", "sp: must be");
  // p= is not required to come second.
  EXPECT_EQ(parse_ok("v=DMARC1; pct=50; p=reject").policy, Policy::kReject);
}

// RFC 7489 Appendix B.2 (the TXT strings of each example concatenated).
TEST(DmarcRecord, Rfc7489AppendixB2) {
  // B.2.1 Entity A monitors.
  Record r = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com");
  EXPECT_EQ(r.policy, Policy::kNone);
  EXPECT_EQ(r.rua, std::vector<std::string>{"mailto:dmarc-feedback@example.com"});
  // B.2.2 with failure reports.
  r = parse_ok(
      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
      "ruf=mailto:auth-reports@example.com");
  EXPECT_EQ(r.ruf, std::vector<std::string>{"mailto:auth-reports@example.com"});
  // B.2.3 failure reports to a third party.
  r = parse_ok(
      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
      "ruf=mailto:auth-reports@thirdparty.example.net");
  EXPECT_EQ(r.ruf, std::vector<std::string>{"mailto:auth-reports@thirdparty.example.net"});
  // B.2.4 subdomain, sampling and two aggregate URIs, over several strings.
  r = parse_ok(
      "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
      "mailto:tld-test@thirdparty.example.net!10m; pct=25");
  EXPECT_EQ(r.policy, Policy::kQuarantine);
  EXPECT_EQ(r.percent, 25);
  EXPECT_EQ(r.rua, (std::vector<std::string>{"mailto:dmarc-feedback@example.com",
                                             "mailto:tld-test@thirdparty.example.net!10m"}));
  // §7.1: the record that authorizes a third party to receive reports.
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  for (std::string_view t : {"v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com",
                             "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
                             "mailto:tld-test@thirdparty.example.net!10m; pct=25"}) {
    EXPECT_EQ(parse_ok(parse_ok(t).text()), parse_ok(t));
  }
}

TEST(DmarcRecord, PolicyNames) {
  EXPECT_EQ(policy_name(Policy::kNone), "none");
  EXPECT_EQ(policy_name(Policy::kQuarantine), "quarantine");
  EXPECT_EQ(policy_name(Policy::kReject), "reject");
}

}  // namespace
}  // namespace mox::dmarc
