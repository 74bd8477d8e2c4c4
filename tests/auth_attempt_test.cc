// Tests for lib/auth/attempt.*: building and recording login attempts
// (docs/DESIGN.md "Login attempts"), and the cap on failed rows that
// auth/connauth.h is given.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "auth/attempt.h"
#include "auth/connauth.h"
#include "net_test_util.h"
#include "tls/info.h"

namespace mox::auth {
namespace {

TEST(Attempt, Defaults) {
  AttemptBuilder b(kProtocolIMAP, "192.0.2.1", "192.0.2.2");
  LoginAttempt a = b.build();
  EXPECT_EQ(a.protocol, "imap");
  EXPECT_EQ(a.remote_ip, "192.0.2.1");
  EXPECT_EQ(a.local_ip, "192.0.2.2");
  EXPECT_EQ(a.account_name, "-");  // unknown account
  EXPECT_EQ(a.result, "error");    // never decided
  EXPECT_EQ(a.tls, "");
}

TEST(Attempt, Fields) {
  AttemptBuilder b(kProtocolSubmission, "2001:db8::1", "2001:db8::2");
  b.tls(
       tls::tls_description({"tls1.3", "tls_aes_128_gcm_sha256", "mail.example.com", true, "smtp"}))
      .tls_pubkey_fingerprint("abc")
      .user_agent("Thunderbird")
      .login_address("mjl@example.com")
      .mechanism("scram-sha-256-plus")
      .account("mjl")
      .result("ok");
  LoginAttempt a = b.build();
  EXPECT_EQ(a.tls,
            "version=tls1.3 ciphersuite=tls_aes_128_gcm_sha256 sni=mail.example.com "
            "resumed=true alpn=smtp");
  EXPECT_EQ(a.tls_pubkey_fingerprint, "abc");
  EXPECT_EQ(a.user_agent, "Thunderbird");
  EXPECT_EQ(a.login_address, "mjl@example.com");
  EXPECT_EQ(a.auth_mech, "scram-sha-256-plus");
  EXPECT_EQ(a.account_name, "mjl");
  EXPECT_EQ(a.result, "ok");
  EXPECT_EQ(tls::tls_description({"tls1.2", "x", "", false, ""}),
            "version=tls1.2 ciphersuite=x sni= resumed=false alpn=");
}

TEST(Attempt, CleansPeerText) {
  EXPECT_EQ(clean_attempt_text("mjl@example.com"), "mjl@example.com");
  EXPECT_EQ(clean_attempt_text("caf\xc3\xa9@example.com"), "caf\xc3\xa9@example.com");
  EXPECT_EQ(clean_attempt_text("a\r\nb\x1b[31m\x7f"), "a??b?[31m?");
  EXPECT_EQ(clean_attempt_text("a\xff\xc3z"), "a??z");  // invalid UTF-8
  EXPECT_EQ(clean_attempt_text(std::string("a\0b", 3)), "a?b");
  EXPECT_EQ(clean_attempt_text(std::string(5000, 'x')).size(), kMaxAttemptField);
  // Never cut a character in two.
  std::string s(kMaxAttemptField - 1, 'x');
  s += "\xc3\xa9";
  EXPECT_EQ(clean_attempt_text(s), std::string(kMaxAttemptField - 1, 'x'));
  AttemptBuilder b(kProtocolIMAP, "", "");
  b.login_address("x\ny").user_agent("\x01");
  EXPECT_EQ(b.build().login_address, "x?y");
  EXPECT_EQ(b.build().user_agent, "?");
}

TEST(Attempt, ImapIdUserAgent) {
  EXPECT_EQ(imap_id_user_agent({{"name", "Thunderbird"}, {"version", "115.0"}}),
            "name=\"Thunderbird\" version=\"115.0\"");
  EXPECT_EQ(imap_id_user_agent({{"name", "a \"b\" \\c"}}), "name=\"a \\\"b\\\" \\\\c\"");
  EXPECT_EQ(imap_id_user_agent({}), "");
}

TEST(Attempt, Record) {
  char tmpl[] = "/tmp/mox-attempt-test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    auto db = open_auth_db(dir);
    ASSERT_TRUE(db.ok());
    AttemptBuilder b(kProtocolSubmission, "192.0.2.1", "192.0.2.2");
    b.mechanism("plain").login_address("nobody@example.com").result("badcreds");
    ASSERT_TRUE(b.record(*db, 100).ok());
    ASSERT_TRUE(b.record(*db, 200).ok());  // same details: one row, count 2
    b.mechanism(std::string(kMechTLSClientAuth)).account("mjl").result("ok");
    ASSERT_TRUE(b.record(*db, 300).ok());
    auto list = list_login_attempts(*db, "", 0);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].account_name, "mjl");
    EXPECT_EQ((*list)[0].auth_mech, "tlsclientauth");
    EXPECT_EQ((*list)[1].account_name, "-");
    EXPECT_EQ((*list)[1].count, 2);
    EXPECT_EQ((*list)[1].first, 100);
    EXPECT_EQ((*list)[1].last, 200);
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

// The servers give ConnAuth the failed rows to keep per account (lowered by
// tests through MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED, docs/DESIGN.md "Testing").
TEST(Attempt, ConnAuthKeepsTheFailedRowsItIsGiven) {
  testing::TempDir dir;
  ConnAuth ca(testing::make_config(dir), std::string(kProtocolIMAP), "", "",
              /*max_failed_attempts=*/2);
  for (const char* u : {"a@example.com", "b@example.com", "c@example.com"}) {
    ca.attempt("plain", u, "mjl", "badcreds");
  }
  ca.attempt("plain", "mjl@example.com", "mjl", "ok");
  auto list = list_login_attempts(*ca.db(), "mjl", 0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);  // the oldest failure was removed
  EXPECT_EQ((*list)[2].login_address, "b@example.com");
}

}  // namespace
}  // namespace mox::auth
