// Tests for lib/dkim/sign.h: sign → verify round trips for every algorithm
// and canonicalization, over-signing, expiration, and refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "crypto/keys.h"
#include "dkim/dnsrecord.h"
#include "dkim/sign.h"
#include "dkim/verify.h"
#include "dns/zone.h"

namespace mox::dkim {
namespace {

constexpr std::string_view kMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Cc: carol@example.net\r\n"
    "Subject: Round   trip\r\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "Message-ID: <rt@example.org>\r\n"
    "X-Unsigned: yes\r\n"
    "\r\n"
    "Hello  there, \r\n"
    "\r\n"
    "trailing lines follow\r\n"
    "\r\n"
    "\r\n";

struct Keys {
  crypto::PKeyPtr rsa = std::move(crypto::generate_rsa(2048)).value();
  crypto::PKeyPtr ed = std::move(crypto::generate_ed25519()).value();
  std::unique_ptr<dns::ZoneResolver> zone;
  Keys() {
    std::string z =
        "rsa._domainkey.example.org. TXT " + zone_txt_strings(*txt_record_value(rsa.get())) +
        "\ned._domainkey.example.org. TXT " + zone_txt_strings(*txt_record_value(ed.get())) + "\n";
    zone = std::move(dns::ZoneResolver::from_text(z)).value();
  }
};

Keys& keys() {
  static Keys k;
  return k;
}

SignRequest request(std::string_view msg, std::vector<SelectorKey> sels) {
  SignRequest r;
  r.domain = "example.org";
  r.selectors = std::move(sels);
  r.message = MessageRef{msg};
  return r;
}

SelectorKey selector(const char* name, EVP_PKEY* key) {
  SelectorKey s;
  s.selector = name;
  s.key = key;
  return s;
}
SelectorKey rsa_sel() { return selector("rsa", keys().rsa.get()); }
SelectorKey ed_sel() { return selector("ed", keys().ed.get()); }

std::vector<VerifyResult> check(const std::string& signed_msg) {
  auto res = verify(*keys().zone, MessageRef{signed_msg});
  EXPECT_TRUE(res.ok());
  return std::move(res).value();
}

TEST(DkimSign, RoundTripEveryCombination) {
  for (bool ed : {false, true}) {
    for (bool hr : {false, true}) {
      for (bool br : {false, true}) {
        SelectorKey s = ed ? ed_sel() : rsa_sel();
        s.header_relaxed = hr;
        s.body_relaxed = br;
        auto sig = sign(request(kMessage, {s}));
        ASSERT_TRUE(sig.ok()) << sig.error().message;
        std::string msg = *sig + std::string(kMessage);
        auto res = check(msg);
        ASSERT_EQ(res.size(), 1u);
        EXPECT_EQ(res[0].status, Status::kPass) << ed << hr << br << ": " << res[0].reason << "\n"
                                                << *sig;
        EXPECT_EQ(res[0].signature->header_relaxed, hr);
        EXPECT_EQ(res[0].signature->body_relaxed, br);
        // Tampering with the body fails; so does an added To (sealed).
        std::string body_changed = msg;
        body_changed.replace(body_changed.find("Hello"), 5, "Jello");
        EXPECT_EQ(check(body_changed)[0].status, Status::kFail);
        std::string to_added = *sig + "To: eve@example.com\r\n" + std::string(kMessage);
        EXPECT_EQ(check(to_added)[0].status, Status::kFail);
        // An unsigned field may change.
        std::string unsigned_changed = msg;
        unsigned_changed.replace(unsigned_changed.find("X-Unsigned: yes"), 15, "X-Unsigned: no!");
        EXPECT_EQ(check(unsigned_changed)[0].status, Status::kPass);
      }
    }
  }
}

TEST(DkimSign, SeveralSelectorsAndSealing) {
  SelectorKey open = rsa_sel();
  open.seal_headers = false;
  auto sig = sign(request(kMessage, {rsa_sel(), ed_sel()}));
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  std::string msg = *sig + std::string(kMessage);
  auto res = check(msg);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].status, Status::kPass) << res[0].reason;
  EXPECT_EQ(res[1].status, Status::kPass) << res[1].reason;
  EXPECT_EQ(res[0].selector, "rsa");
  EXPECT_EQ(res[1].selector, "ed");
  // Default list, each name once more than present: From twice (one
  // field), Bcc once (absent).
  const auto& h = res[0].signature->signed_headers;
  EXPECT_EQ(std::count(h.begin(), h.end(), "From"), 2);
  EXPECT_EQ(std::count(h.begin(), h.end(), "Bcc"), 1);
  EXPECT_EQ(std::count(h.begin(), h.end(), "Message-Id"), 2);
  EXPECT_EQ(h.size(), default_headers().size() + 6);

  auto unsealed = sign(request(kMessage, {open}));
  ASSERT_TRUE(unsealed.ok());
  auto ures = check(*unsealed + std::string(kMessage));
  EXPECT_EQ(ures[0].signature->signed_headers, default_headers());
  // Without sealing an added Cc (a second one, above) goes unnoticed.
  EXPECT_EQ(check(*unsealed + "Cc: eve@example.com\r\n" + std::string(kMessage))[0].status,
            Status::kPass);
}

TEST(DkimSign, ExpirationAndTime) {
  SelectorKey s = ed_sel();
  s.expiration = std::chrono::hours(72);
  SignRequest r = request(kMessage, {s});
  r.now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  r.identity_localpart = "alice";
  auto sig = sign(r);
  ASSERT_TRUE(sig.ok());
  EXPECT_NE(sig->find("t=1700000000;"), std::string::npos) << *sig;
  EXPECT_NE(sig->find("x=1700259200;"), std::string::npos) << *sig;
  EXPECT_NE(sig->find("i=alice@example.org;"), std::string::npos) << *sig;
  std::string msg = *sig + std::string(kMessage);
  VerifyOptions o;
  o.now = r.now + std::chrono::hours(71);
  EXPECT_EQ(verify(*keys().zone, MessageRef{msg}, o)->at(0).status, Status::kPass);
  o.now = r.now + std::chrono::hours(73);
  auto late = verify(*keys().zone, MessageRef{msg}, o)->at(0);
  EXPECT_EQ(late.status, Status::kPermerror);
  EXPECT_NE(late.reason.find("expired"), std::string::npos);
}

TEST(DkimSign, CustomHeadersAndSha1) {
  SelectorKey s = rsa_sel();
  s.headers = {"from", "subject"};
  s.hash = Hash::kSha1;
  auto sig = sign(request(kMessage, {s}));
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_NE(sig->find("a=rsa-sha1;"), std::string::npos);
  EXPECT_NE(sig->find("h=from:subject:from:subject;"), std::string::npos) << *sig;
  std::string msg = *sig + std::string(kMessage);
  EXPECT_EQ(check(msg)[0].status, Status::kPolicy);  // sha1 refused by default
  VerifyOptions o;
  o.allow_sha1 = true;
  // Our published record says h=sha256, which excludes sha1 (§3.6.1).
  auto denied = verify(*keys().zone, MessageRef{msg}, o)->at(0);
  EXPECT_EQ(denied.status, Status::kPermerror);
  EXPECT_NE(denied.reason.find("h="), std::string::npos);
  std::string rec = *txt_record_value(keys().rsa.get());
  rec.replace(rec.find("h=sha256; "), 10, "");
  auto any_hash = dns::ZoneResolver::from_text("rsa._domainkey.example.org. TXT " +
                                               zone_txt_strings(rec) + "\n");
  ASSERT_TRUE(any_hash.ok());
  EXPECT_EQ(verify(**any_hash, MessageRef{msg}, o)->at(0).status, Status::kPass);
}

TEST(DkimSign, FromFd) {
  FILE* f = tmpfile();
  fwrite(kMessage.data(), 1, kMessage.size(), f);
  fflush(f);
  SignRequest r = request({}, {rsa_sel()});
  r.message = MessageRef{{}, fileno(f)};
  auto from_fd = sign(r);
  fclose(f);
  ASSERT_TRUE(from_fd.ok()) << from_fd.error().message;
  EXPECT_EQ(check(*from_fd + std::string(kMessage))[0].status, Status::kPass);
}

TEST(DkimSign, Refusals) {
  SignRequest disabled = request(kMessage, {rsa_sel()});
  disabled.disabled = true;
  auto d = sign(disabled);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::kTemporary);
  EXPECT_NE(d.error().message.find("disabled"), std::string::npos);

  EXPECT_EQ(sign(request(kMessage, {})).error().kind, ErrorKind::kUser);
  SelectorKey nofrom = rsa_sel();
  nofrom.headers = {"To"};
  EXPECT_EQ(sign(request(kMessage, {nofrom})).error().kind, ErrorKind::kUser);
  SelectorKey edsha1 = ed_sel();
  edsha1.hash = Hash::kSha1;
  EXPECT_EQ(sign(request(kMessage, {edsha1})).error().kind, ErrorKind::kUser);
  SelectorKey badname = rsa_sel();
  badname.selector = "bad_name";
  EXPECT_EQ(sign(request(kMessage, {badname})).error().kind, ErrorKind::kUser);
  auto ec = crypto::generate_ecdsa("P-256");
  SelectorKey eckey = selector("ec", ec->get());
  EXPECT_EQ(sign(request(kMessage, {eckey})).error().kind, ErrorKind::kUser);
  SignRequest baddomain = request(kMessage, {rsa_sel()});
  baddomain.domain = "not a domain";
  EXPECT_EQ(sign(baddomain).error().kind, ErrorKind::kUser);

  auto twofrom =
      sign(request("From: a@example.org\r\nFrom: b@example.org\r\n\r\nx\r\n", {rsa_sel()}));
  ASSERT_FALSE(twofrom.ok());
  EXPECT_EQ(twofrom.error().kind, ErrorKind::kSyntax);
  EXPECT_FALSE(sign(request("To: a@example.org\r\n\r\nx\r\n", {rsa_sel()})).ok());
}

TEST(DkimSign, EmptyBodyAndHeaderOnly) {
  for (std::string_view msg : {std::string_view("From: a@example.org\r\n\r\n"),
                               std::string_view("From: a@example.org\r\n")}) {
    for (bool relaxed : {false, true}) {
      SelectorKey s = ed_sel();
      s.body_relaxed = relaxed;
      auto sig = sign(request(msg, {s}));
      ASSERT_TRUE(sig.ok());
      EXPECT_EQ(check(*sig + std::string(msg))[0].status, Status::kPass) << msg;
    }
  }
}

}  // namespace
}  // namespace mox::dkim
