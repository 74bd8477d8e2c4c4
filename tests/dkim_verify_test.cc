// Tests for lib/dkim/verify.h against the published example of RFC 8463
// Appendix A (an Ed25519 and an RSA signature by football.example.com),
// with the keys of A.2 in a zone-file resolver, and every result status.
#include <gtest/gtest.h>

#include <string>

#include "dkim/verify.h"
#include "dns/zone.h"

namespace mox::dkim {
namespace {

// RFC 8463 A.3, byte for byte (continuation lines start with one space).
constexpr std::string_view kSigned =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

// RFC 8463 A.2, as a zone file.
constexpr std::string_view kEd25519Record =
    "brisbane._domainkey.football.example.com. IN TXT (\n"
    " \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\")\n";
constexpr std::string_view kRsaRecord =
    "test._domainkey.football.example.com. IN TXT (\n"
    " \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR\"\n"
    " \"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC\"\n"
    " \"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3\"\n"
    " \"Ip3G+2kryOTIKT+l/K4w3QIDAQAB\")\n";

std::unique_ptr<dns::ZoneResolver> rfc_zone(std::string extra = "") {
  auto z =
      dns::ZoneResolver::from_text(std::string(kEd25519Record) + std::string(kRsaRecord) + extra);
  EXPECT_TRUE(z.ok()) << z.error().message;
  return std::move(z).value();
}

std::unique_ptr<dns::ZoneResolver> zone_of(std::string text) {
  auto z = dns::ZoneResolver::from_text(text);
  EXPECT_TRUE(z.ok()) << z.error().message;
  return std::move(z).value();
}

std::vector<VerifyResult> run(dns::Resolver& r, std::string_view msg, VerifyOptions o = {}) {
  auto res = verify(r, MessageRef{msg}, o);
  EXPECT_TRUE(res.ok()) << res.error().message;
  return res.ok() ? std::move(res).value() : std::vector<VerifyResult>{};
}

std::string replace(std::string_view s, std::string_view from, std::string_view to) {
  std::string out(s);
  size_t at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

TEST(DkimVerify, Rfc8463Example) {
  auto z = rfc_zone();
  auto res = run(*z, kSigned);
  ASSERT_EQ(res.size(), 2u);
  for (const auto& r : res) {
    EXPECT_EQ(r.status, Status::kPass) << r.selector << ": " << r.reason;
    EXPECT_EQ(r.domain, "football.example.com");
    EXPECT_EQ(r.reason, "");
    EXPECT_FALSE(r.key_authentic);
  }
  EXPECT_EQ(res[0].selector, "brisbane");
  EXPECT_EQ(res[1].selector, "test");
  EXPECT_EQ(res[0].signature->key_algorithm, KeyAlgorithm::kEd25519);
}

TEST(DkimVerify, ReadsFromFd) {
  auto z = rfc_zone();
  FILE* f = tmpfile();
  ASSERT_NE(f, nullptr);
  fwrite(kSigned.data(), 1, kSigned.size(), f);
  fflush(f);
  auto res = verify(*z, MessageRef{{}, fileno(f)});
  fclose(f);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 2u);
  EXPECT_EQ((*res)[0].status, Status::kPass);
  EXPECT_EQ((*res)[1].status, Status::kPass);
}

TEST(DkimVerify, TamperedMessagesFail) {
  auto z = rfc_zone();
  auto body = run(*z, replace(kSigned, "hungry", "angry"));
  for (const auto& r : body) {
    EXPECT_EQ(r.status, Status::kFail);
    EXPECT_NE(r.reason.find("body hash"), std::string::npos);
  }
  auto header = run(*z, replace(kSigned, "dinner", "lunch"));
  for (const auto& r : header) {
    EXPECT_EQ(r.status, Status::kFail);
    EXPECT_NE(r.reason.find("signature does not verify"), std::string::npos);
  }
  // A From added above the signed one: h= lists From twice (over-signing).
  auto from = run(*z, replace(kSigned, "From: Joe", "From: Mallory <m@evil.example>\r\nFrom: Joe"));
  for (const auto& r : from) EXPECT_EQ(r.status, Status::kFail);
  // An unsigned field may be added; relaxed canonicalization ignores refolding.
  auto added = run(*z, replace(kSigned, "Message-ID:", "X-Mailer: any\r\nMessage-ID:"));
  for (const auto& r : added) EXPECT_EQ(r.status, Status::kPass) << r.reason;
  auto refolded =
      run(*z, replace(kSigned, "Subject: Is dinner ready?", "Subject:  Is dinner\r\n\tready?  "));
  for (const auto& r : refolded) EXPECT_EQ(r.status, Status::kPass) << r.reason;
  // The signature's own field is covered too.
  auto own = run(
      *z, replace(kSigned, "t=1528637909; h=from : to :\r\n", "t=1528637910; h=from : to :\r\n"));
  EXPECT_EQ(own[0].status, Status::kFail);
  EXPECT_EQ(own[1].status, Status::kPass);
}

TEST(DkimVerify, PermanentErrors) {
  auto z = rfc_zone();
  struct Case {
    std::string from, to, want;
  } cases[] = {
      {"s=brisbane;", "s=brisbane; v=1;", "duplicate"},
      {"h=from : to :\r\n subject : date : message-id : from : subject : date;", "h=to : subject;",
       "From"},
      {"i=@football.example.com", "i=@example.net", "not d="},
      {"t=1528637909; h=from : to :", "t=1528637909; x=1528637910; h=from : to :", "expired"},
      {"s=brisbane", "s=nokey", "no key for signature"},
      {"a=ed25519-sha256", "a=rsa-sha256", "does not match"},
  };
  for (const auto& c : cases) {
    auto res = run(*z, replace(kSigned, c.from, c.to));
    ASSERT_EQ(res.size(), 2u);
    EXPECT_EQ(res[0].status, Status::kPermerror) << c.to;
    EXPECT_NE(res[0].reason.find(c.want), std::string::npos) << c.to << ": " << res[0].reason;
    EXPECT_EQ(res[1].status, Status::kPass) << c.to;
  }
}

TEST(DkimVerify, KeyRecordDecides) {
  std::string rsa(kRsaRecord);
  struct Case {
    std::string record, want;
    Status status;
  } cases[] = {
      {"v=DKIM1; k=ed25519; p=", "revoked", Status::kPermerror},
      {"v=DKIM1; k=ed25519; h=sha1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "h=",
       Status::kPermerror},
      {"v=DKIM1; k=ed25519; s=tlsrpt; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "s=",
       Status::kPermerror},
      {"v=DKIM1; k=ed25519; p=AAAA", "32 bytes", Status::kPermerror},
      {"v=DKIM2; k=ed25519; p=AAAA", "DKIM1", Status::kPermerror},
      // Test mode: a failure is neutral.
      {"v=DKIM1; k=ed25519; t=y; p=", "test mode", Status::kNeutral},
  };
  for (const auto& c : cases) {
    auto z = zone_of("brisbane._domainkey.football.example.com. TXT \"" + c.record + "\"\n" + rsa);
    auto res = run(*z, kSigned);
    ASSERT_EQ(res.size(), 2u);
    EXPECT_EQ(res[0].status, c.status) << c.record << ": " << res[0].reason;
    EXPECT_NE(res[0].reason.find(c.want), std::string::npos) << c.record << ": " << res[0].reason;
  }
  // t=s: i= must be d= itself.
  auto strict = zone_of(
      "brisbane._domainkey.football.example.com. TXT \"v=DKIM1; k=ed25519; t=s; "
      "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n");
  EXPECT_EQ(run(*strict, kSigned)[0].status, Status::kPass);
  auto below =
      run(*strict, replace(kSigned, "i=@football.example.com", "i=@news.football.example.com"));
  EXPECT_EQ(below[0].status, Status::kPermerror);
  // Two key records: undefined (§3.6.2.2), a later try may see one.
  auto two = zone_of(
      "brisbane._domainkey.football.example.com. TXT \"v=DKIM1; k=ed25519; p=\"\n"
      "brisbane._domainkey.football.example.com. TXT \"v=DKIM1; k=ed25519; "
      "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n");
  EXPECT_EQ(run(*two, kSigned)[0].status, Status::kTemperror);
  // Other TXT records beside the key are ignored.
  auto other = zone_of(
      "brisbane._domainkey.football.example.com. TXT \"v=spf1 -all\"\n"
      "brisbane._domainkey.football.example.com. TXT \"v=DKIM1; k=ed25519; "
      "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n");
  EXPECT_EQ(run(*other, kSigned)[0].status, Status::kPass);
}

TEST(DkimVerify, Policy) {
  auto z = rfc_zone();
  auto sha1 = run(*z, replace(kSigned, "a=rsa-sha256", "a=rsa-sha1"));
  EXPECT_EQ(sha1[1].status, Status::kPolicy);
  EXPECT_NE(sha1[1].reason.find("RFC 8301"), std::string::npos);
  VerifyOptions allow;
  allow.allow_sha1 = true;
  EXPECT_EQ(run(*z, replace(kSigned, "a=rsa-sha256", "a=rsa-sha1"), allow)[1].status,
            Status::kFail);

  auto length = run(*z, replace(kSigned, "s=brisbane;", "s=brisbane; l=10;"));
  EXPECT_EQ(length[0].status, Status::kPolicy);

  VerifyOptions strict;
  strict.min_rsa_bits = 2048;  // the RFC's key has 1024
  auto small = run(*z, kSigned, strict);
  EXPECT_EQ(small[0].status, Status::kPass);
  EXPECT_EQ(small[1].status, Status::kPolicy);
  EXPECT_NE(small[1].reason.find("1024 bits"), std::string::npos);

  VerifyOptions one;
  one.max_signatures = 1;
  auto limited = run(*z, kSigned, one);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].status, Status::kPass);
  EXPECT_EQ(limited[1].status, Status::kPolicy);
}

// A resolver whose every lookup fails for now, like a DNS timeout.
class DownResolver : public dns::Resolver {
 public:
  Result<dns::Response> query(std::string_view, dns::Type) override {
    return temporary_error("timed out");
  }
};

TEST(DkimVerify, TemporaryDnsFailure) {
  DownResolver down;
  auto res = run(down, kSigned);
  ASSERT_EQ(res.size(), 2u);
  for (const auto& r : res) {
    EXPECT_EQ(r.status, Status::kTemperror);
    EXPECT_NE(r.reason.find("timed out"), std::string::npos);
  }
}

TEST(DkimVerify, NoSignaturesAndBadHeader) {
  auto z = rfc_zone();
  auto none = run(*z, "From: a@example.com\r\n\r\nhi\r\n");
  EXPECT_TRUE(none.empty());
  auto garbage = run(*z, "DKIM-Signature: garbage\r\nFrom: a@example.com\r\n\r\nhi\r\n");
  ASSERT_EQ(garbage.size(), 1u);
  EXPECT_EQ(garbage[0].status, Status::kPermerror);
  EXPECT_EQ(garbage[0].domain, "");
  EXPECT_EQ(status_name(Status::kTemperror), "temperror");
}

}  // namespace
}  // namespace mox::dkim
