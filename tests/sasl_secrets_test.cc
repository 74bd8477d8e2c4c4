// Tests for lib/sasl/secrets.* and lib/sasl/scram_core.*: RFC test vectors for
// SCRAM-SHA-1 (RFC 5802 §5), SCRAM-SHA-256 (RFC 7677 §3) and CRAM-MD5
// (RFC 2195 §2), the ScramServer state machine, password rules and generator.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <set>
#include <string>

#include "sasl/scram_core.h"
#include "sasl/secrets.h"
#include "util/encoding.h"

namespace mox::sasl {
namespace {

std::string b64d(std::string_view s) {
  Result<std::string> r = base64_decode(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : std::string();
}

// ---- SCRAM test vectors -----------------------------------------------------

struct ScramVector {
  ScramHash hash;
  std::string password, salt_b64;
  int iterations;
  std::string client_nonce, server_nonce_suffix, proof_b64, verifier_b64;

  std::string client_first_bare() const { return "n=user,r=" + client_nonce; }
  std::string nonce() const { return client_nonce + server_nonce_suffix; }
  std::string server_first() const {
    return "r=" + nonce() + ",s=" + salt_b64 + ",i=" + std::to_string(iterations);
  }
  std::string client_final_without_proof() const { return "c=biws,r=" + nonce(); }
  std::string auth_message() const {
    return client_first_bare() + "," + server_first() + "," + client_final_without_proof();
  }
};

// RFC 5802 §5.
const ScramVector kRfc5802 = {ScramHash::kSha1,
                              "pencil",
                              "QSXCR+Q6sek8bf92",
                              4096,
                              "fyko+d2lbbFgONRv9qkxdawL",
                              "3rfcNHYJY1ZVvWVs7j",
                              "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
                              "rmF9pqV8S7suAoZWja4dJRkFsKQ="};

// RFC 7677 §3.
const ScramVector kRfc7677 = {ScramHash::kSha256,
                              "pencil",
                              "W22ZaJ0SNY7soEsUEjb6gQ==",
                              4096,
                              "rOprNGfwEbeRWgbNEkqO",
                              "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
                              "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                              "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="};

class ScramVectorTest : public ::testing::TestWithParam<ScramVector> {};

TEST_P(ScramVectorTest, ClientComputesProof) {
  const ScramVector& v = GetParam();
  const std::string salted =
      scram_salted_password(v.hash, v.password, b64d(v.salt_b64), v.iterations);
  EXPECT_EQ(salted.size(), scram_digest_size(v.hash));
  EXPECT_EQ(base64_encode(scram_client_proof(v.hash, salted, v.auth_message())), v.proof_b64);
}

TEST_P(ScramVectorTest, ServerVerifiesProofAndSigns) {
  const ScramVector& v = GetParam();
  const ScramSecret secret = scram_derive(v.hash, v.password, b64d(v.salt_b64), v.iterations);
  EXPECT_TRUE(scram_secret_usable(v.hash, secret));
  const std::string proof = b64d(v.proof_b64);
  EXPECT_TRUE(scram_verify_client_proof(v.hash, secret, v.auth_message(), proof));
  EXPECT_EQ(base64_encode(scram_server_signature(v.hash, secret, v.auth_message())),
            v.verifier_b64);

  std::string flipped = proof;
  flipped[3] ^= 1;
  EXPECT_FALSE(scram_verify_client_proof(v.hash, secret, v.auth_message(), flipped));
  EXPECT_FALSE(scram_verify_client_proof(v.hash, secret, v.auth_message(), proof.substr(1)));
  EXPECT_FALSE(scram_verify_client_proof(v.hash, secret, v.auth_message() + "x", proof));
}

TEST_P(ScramVectorTest, ServerStateMachine) {
  const ScramVector& v = GetParam();
  const ScramSecret secret = scram_derive(v.hash, v.password, b64d(v.salt_b64), v.iterations);
  ScramServer server({v.hash, false}, std::nullopt, v.server_nonce_suffix);

  Result<std::string> user = server.client_first("n,," + v.client_first_bare());
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(*user, "user");
  EXPECT_EQ(server.username(), "user");
  EXPECT_EQ(server.authzid(), "");
  EXPECT_EQ(server.server_first(secret), v.server_first());

  Result<std::string> final =
      server.client_final(v.client_final_without_proof() + ",p=" + v.proof_b64);
  ASSERT_TRUE(final.ok()) << final.error().message;
  EXPECT_EQ(*final, "v=" + v.verifier_b64);
  EXPECT_TRUE(server.done());
  EXPECT_EQ(server.failure(), ScramFailure::kNone);
}

TEST_P(ScramVectorTest, ServerRefusesWrongProof) {
  const ScramVector& v = GetParam();
  const ScramSecret secret = scram_derive(v.hash, "wrong password", b64d(v.salt_b64), 4096);
  ScramServer server({v.hash, false}, std::nullopt, v.server_nonce_suffix);
  ASSERT_TRUE(server.client_first("n,," + v.client_first_bare()).ok());
  (void)server.server_first(secret);
  Result<std::string> final =
      server.client_final(v.client_final_without_proof() + ",p=" + v.proof_b64);
  ASSERT_FALSE(final.ok());
  EXPECT_EQ(final.error().kind, ErrorKind::kUser);
  EXPECT_EQ(server.failure(), ScramFailure::kInvalidProof);
  EXPECT_EQ(scram_failure_value(server.failure()), "invalid-proof");
  EXPECT_FALSE(server.done());
  // The exchange is over.
  Result<std::string> again =
      server.client_final(v.client_final_without_proof() + ",p=" + v.proof_b64);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kInternal);
}

INSTANTIATE_TEST_SUITE_P(Rfc, ScramVectorTest, ::testing::Values(kRfc5802, kRfc7677));

// ---- ScramServer: channel binding and syntax --------------------------------

// A client side of one exchange, to drive ScramServer in tests.
struct TestClient {
  ScramHash hash = ScramHash::kSha256;
  std::string password = "secret password";
  std::string gs2_header = "n,,";
  std::string cb_data;  // appended to the gs2 header in c=
  std::string client_nonce = "clientnonce";
  std::string bare() const { return "n=user,r=" + client_nonce; }
  std::string first() const { return gs2_header + bare(); }

  // client-final-message for the given server-first-message.
  std::string final(const std::string& server_first, const ScramSecret& secret) const {
    const std::string nonce = server_first.substr(2, server_first.find(',') - 2);
    const std::string without_proof = "c=" + base64_encode(gs2_header + cb_data) + ",r=" + nonce;
    const std::string salted =
        scram_salted_password(hash, password, secret.salt, secret.iterations);
    const std::string auth = bare() + "," + server_first + "," + without_proof;
    return without_proof + ",p=" + base64_encode(scram_client_proof(hash, salted, auth));
  }
};

ScramSecret test_secret(ScramHash h, const std::string& password) {
  return scram_derive(h, password, "0123456789abcdef", 4096);
}

// Runs a full exchange; returns the result of client_final.
Result<std::string> run(ScramServer& server, const TestClient& client) {
  MOX_TRY(server.client_first(client.first()));
  const ScramSecret secret = test_secret(client.hash, client.password);
  const std::string sf = server.server_first(secret);
  return server.client_final(client.final(sf, secret));
}

const std::string kExporter(32, '\x42');

TEST(ScramServer, PlusWithTlsExporter) {
  TestClient client;
  client.gs2_header = "p=tls-exporter,,";
  client.cb_data = kExporter;
  ScramServer server({ScramHash::kSha256, true}, kExporter);
  Result<std::string> final = run(server, client);
  ASSERT_TRUE(final.ok()) << final.error().message;
  EXPECT_EQ(final->substr(0, 2), "v=");
  EXPECT_TRUE(server.done());
}

TEST(ScramServer, PlusServerSignatureMatchesClientsExpectation) {
  TestClient client;
  client.hash = ScramHash::kSha1;
  client.gs2_header = "p=tls-exporter,a=user,";
  client.cb_data = kExporter;
  ScramServer server({ScramHash::kSha1, true}, kExporter, "servernonce");
  ASSERT_TRUE(server.client_first(client.first()).ok());
  EXPECT_EQ(server.authzid(), "user");
  const ScramSecret secret = test_secret(client.hash, client.password);
  const std::string sf = server.server_first(secret);
  EXPECT_EQ(sf, "r=clientnonceservernonce,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=4096");
  const std::string cf = client.final(sf, secret);
  Result<std::string> final = server.client_final(cf);
  ASSERT_TRUE(final.ok()) << final.error().message;
  // Client side: ServerSignature = HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage).
  const std::string salted =
      scram_salted_password(client.hash, client.password, secret.salt, secret.iterations);
  const std::string auth = client.bare() + "," + sf + "," + cf.substr(0, cf.rfind(','));
  const std::string server_key = scram_hmac(client.hash, salted, "Server Key");
  EXPECT_EQ(*final, "v=" + base64_encode(scram_hmac(client.hash, server_key, auth)));
}

TEST(ScramServer, ChannelBindingMismatch) {
  TestClient client;
  client.gs2_header = "p=tls-exporter,,";
  client.cb_data = std::string(32, '\x43');  // the MITM's TLS connection
  ScramServer server({ScramHash::kSha256, true}, kExporter);
  Result<std::string> final = run(server, client);
  ASSERT_FALSE(final.ok());
  EXPECT_EQ(final.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(server.failure(), ScramFailure::kChannelBindingsDontMatch);
}

TEST(ScramServer, ChannelBindingHeaderMismatch) {
  // c= must repeat the gs2 header of client-first exactly.
  TestClient client;
  ScramServer server({ScramHash::kSha256, false}, std::nullopt);
  ASSERT_TRUE(server.client_first(client.first()).ok());
  const ScramSecret secret = test_secret(client.hash, client.password);
  const std::string sf = server.server_first(secret);
  client.gs2_header = "y,,";
  Result<std::string> final = server.client_final(client.final(sf, secret));
  ASSERT_FALSE(final.ok());
  EXPECT_EQ(server.failure(), ScramFailure::kChannelBindingsDontMatch);
}

struct FlagCase {
  bool plus;
  bool have_cb;
  std::string gs2;
  ScramFailure failure;  // kNone: accepted
  ErrorKind kind;
};

TEST(ScramServer, ChannelBindingFlagRules) {
  const FlagCase cases[] = {
      {false, false, "n,,", ScramFailure::kNone, ErrorKind::kUser},
      {false, true, "n,,", ScramFailure::kNone, ErrorKind::kUser},
      {false, false, "y,,", ScramFailure::kNone, ErrorKind::kUser},
      // RFC 5802 §6: "y" while the server can bind means a downgrade.
      {false, true, "y,,", ScramFailure::kServerDoesSupportChannelBinding, ErrorKind::kPermanent},
      {false, true, "p=tls-exporter,,", ScramFailure::kOtherError, ErrorKind::kPermanent},
      {true, true, "n,,", ScramFailure::kOtherError, ErrorKind::kPermanent},
      {true, true, "y,,", ScramFailure::kOtherError, ErrorKind::kPermanent},
      {true, false, "p=tls-exporter,,", ScramFailure::kChannelBindingNotSupported,
       ErrorKind::kPermanent},
      {true, true, "p=tls-unique,,", ScramFailure::kUnsupportedChannelBindingType,
       ErrorKind::kPermanent},
      {true, true, "p=,,", ScramFailure::kInvalidEncoding, ErrorKind::kSyntax},
      {true, true, "x,,", ScramFailure::kInvalidEncoding, ErrorKind::kSyntax},
  };
  for (const FlagCase& c : cases) {
    SCOPED_TRACE(c.gs2 + (c.plus ? " plus" : "") + (c.have_cb ? " cb" : ""));
    ScramServer server({ScramHash::kSha256, c.plus},
                       c.have_cb ? std::optional<std::string>(kExporter) : std::nullopt);
    Result<std::string> r = server.client_first(c.gs2 + "n=user,r=abc");
    EXPECT_EQ(r.ok(), c.failure == ScramFailure::kNone);
    EXPECT_EQ(server.failure(), c.failure);
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, c.kind);
    }
  }
}

TEST(ScramServer, ClientFirstSyntax) {
  struct Case {
    std::string msg;
    ScramFailure failure;
  };
  const Case cases[] = {
      {"", ScramFailure::kInvalidEncoding},
      {"n,", ScramFailure::kInvalidEncoding},
      {"n,,", ScramFailure::kInvalidEncoding},
      {"n,,n=user", ScramFailure::kInvalidEncoding},
      {"n,,n=user,r=", ScramFailure::kInvalidEncoding},
      {"n,,n=user,r=a b", ScramFailure::kInvalidEncoding},
      {"n,,r=abc,n=user", ScramFailure::kInvalidEncoding},
      {"n,,n=,r=abc", ScramFailure::kInvalidUsernameEncoding},
      {"n,,n=us=41er,r=abc", ScramFailure::kInvalidUsernameEncoding},
      {"n,,n=us=2cer,r=abc", ScramFailure::kInvalidUsernameEncoding},
      {"n,,n=us\xff,r=abc", ScramFailure::kInvalidUsernameEncoding},
      {"n,,m=ext,n=user,r=abc", ScramFailure::kExtensionsNotSupported},
      {"n,,n=user,r=abc,1=x", ScramFailure::kInvalidEncoding},
      {"n,,n=user,r=abc,x=", ScramFailure::kInvalidEncoding},
      {"n,b=x,n=user,r=abc", ScramFailure::kInvalidEncoding},
      {"n,a=,n=user,r=abc", ScramFailure::kInvalidEncoding},
      {"n,,n=user,r=" + std::string(5000, 'a'), ScramFailure::kInvalidEncoding},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.msg.substr(0, 40));
    ScramServer server({ScramHash::kSha256, false}, std::nullopt);
    Result<std::string> r = server.client_first(c.msg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
    EXPECT_EQ(server.failure(), c.failure);
  }
}

TEST(ScramServer, UsernameAndAuthzidDecoding) {
  ScramServer server({ScramHash::kSha256, false}, std::nullopt);
  Result<std::string> r =
      server.client_first("n,a=ad=3Dmin=2C,n=a=2Cb=3Dc@example.org,r=abc,x=ignored");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "a,b=c@example.org");
  EXPECT_EQ(server.authzid(), "ad=min,");
}

TEST(ScramServer, ClientFinalSyntaxAndNonce) {
  const std::string good_first = "n,,n=user,r=abc";
  const ScramSecret secret = test_secret(ScramHash::kSha256, "secret password");
  struct Case {
    std::string msg;
    ScramFailure failure;
  };
  const std::string proof = ",p=" + base64_encode(std::string(32, 'x'));
  const Case cases[] = {
      {"", ScramFailure::kInvalidEncoding},
      {"c=biws,r=abcSN", ScramFailure::kInvalidEncoding},  // no proof
      {"r=abcSN" + proof, ScramFailure::kInvalidEncoding},
      {"c=biws" + proof, ScramFailure::kInvalidEncoding},
      {"c=bi!s,r=abcSN" + proof, ScramFailure::kInvalidEncoding},
      {"c=biws,r=abcSN,p=***", ScramFailure::kInvalidEncoding},
      {"c=biws,r=abcXX" + proof, ScramFailure::kOtherError},  // nonce mismatch
      {"c=biws,r=abc" + proof, ScramFailure::kOtherError},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.msg);
    ScramServer server({ScramHash::kSha256, false}, std::nullopt, "SN");
    ASSERT_TRUE(server.client_first(good_first).ok());
    (void)server.server_first(secret);
    Result<std::string> r = server.client_final(c.msg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
    EXPECT_EQ(server.failure(), c.failure);
  }
}

TEST(ScramServer, WrongProofLengthIsInvalidProof) {
  ScramServer server({ScramHash::kSha256, false}, std::nullopt, "SN");
  ASSERT_TRUE(server.client_first("n,,n=user,r=abc").ok());
  (void)server.server_first(test_secret(ScramHash::kSha256, "secret password"));
  Result<std::string> r = server.client_final("c=biws,r=abcSN,p=" + base64_encode("short"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUser);
  EXPECT_EQ(server.failure(), ScramFailure::kInvalidProof);
}

TEST(ScramServer, OutOfOrder) {
  ScramServer server({ScramHash::kSha256, false}, std::nullopt);
  Result<std::string> r = server.client_final("c=biws,r=abc,p=AAAA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  ASSERT_TRUE(server.client_first("n,,n=user,r=abc").ok());
  Result<std::string> again = server.client_first("n,,n=user,r=abc");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kInternal);
}

TEST(ScramServer, RandomServerNonce) {
  const ScramSecret secret = test_secret(ScramHash::kSha256, "secret password");
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    ScramServer server({ScramHash::kSha256, false}, std::nullopt);
    ASSERT_TRUE(server.client_first("n,,n=user,r=abc").ok());
    const std::string sf = server.server_first(secret);
    const std::string nonce = sf.substr(2, sf.find(',') - 2);
    EXPECT_EQ(nonce.substr(0, 3), "abc");
    EXPECT_EQ(nonce.size(), 3u + 24u);
    seen.insert(nonce);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(ScramMechanism, Names) {
  for (std::string_view name :
       {"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}) {
    std::optional<ScramMechanism> m = parse_scram_mechanism(name);
    ASSERT_TRUE(m.has_value()) << name;
    EXPECT_EQ(scram_mechanism_name(*m), name);
  }
  std::optional<ScramMechanism> m = parse_scram_mechanism("scram-sha-256-plus");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->hash, ScramHash::kSha256);
  EXPECT_TRUE(m->plus);
  EXPECT_FALSE(parse_scram_mechanism("SCRAM-SHA-512").has_value());
  EXPECT_FALSE(parse_scram_mechanism("PLAIN").has_value());
}

// ---- CRAM-MD5 ---------------------------------------------------------------

std::string openssl_hmac_md5_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

// RFC 2195 §2 (the challenge ends in ".net", as in the RFC's base64 text).
constexpr std::string_view kRfc2195Challenge = "<1896.697170952@postoffice.reston.mci.net>";

TEST(CramMd5, Rfc2195Example) {
  const CramMd5Secret s = cram_md5_derive("tanstaaftanstaaf");
  EXPECT_EQ(s.ipad_state.size(), 16u);
  EXPECT_EQ(s.opad_state.size(), 16u);
  EXPECT_EQ(cram_md5_digest_hex(s, kRfc2195Challenge), "b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_TRUE(verify_cram_md5(s, kRfc2195Challenge, "b913a602c7eda7a495b4e6e7334d3890"));
  EXPECT_TRUE(verify_cram_md5(s, kRfc2195Challenge, "B913A602C7EDA7A495B4E6E7334D3890"));
  EXPECT_FALSE(verify_cram_md5(s, kRfc2195Challenge, "b913a602c7eda7a495b4e6e7334d3891"));
  EXPECT_FALSE(verify_cram_md5(s, kRfc2195Challenge, "b913a602c7eda7a495b4e6e7334d389"));
  EXPECT_FALSE(verify_cram_md5(s, kRfc2195Challenge, ""));
  EXPECT_FALSE(verify_cram_md5(s, "<other@challenge>", "b913a602c7eda7a495b4e6e7334d3890"));
}

TEST(CramMd5, MatchesOpenSslHmacForAllKeyLengths) {
  const std::string challenge = "<12345.67890@mail.example.org>";
  for (size_t len : {1u, 8u, 63u, 64u, 65u, 100u, 300u}) {
    std::string key;
    for (size_t i = 0; i < len; ++i) key += static_cast<char>('!' + (i * 7) % 90);
    SCOPED_TRACE(len);
    EXPECT_EQ(cram_md5_digest_hex(cram_md5_derive(key), challenge),
              openssl_hmac_md5_hex(key, challenge));
  }
  // A long challenge spans several MD5 blocks after the resumed state.
  const std::string long_challenge(1000, 'c');
  EXPECT_EQ(cram_md5_digest_hex(cram_md5_derive("password"), long_challenge),
            openssl_hmac_md5_hex("password", long_challenge));
}

TEST(CramMd5, MalformedSecret) {
  const CramMd5Secret empty;
  EXPECT_EQ(cram_md5_digest_hex(empty, kRfc2195Challenge), "");
  EXPECT_FALSE(verify_cram_md5(empty, kRfc2195Challenge, "b913a602c7eda7a495b4e6e7334d3890"));
}

// ---- PLAIN / derived secrets ------------------------------------------------

TEST(Password, DeriveSecretsAndVerifyPlain) {
  Result<PasswordSecrets> s = derive_secrets("correct horse");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->scram_sha1.iterations, kScramSha1Iterations);
  EXPECT_EQ(s->scram_sha256.iterations, kScramSha256Iterations);
  EXPECT_EQ(s->scram_sha1.salt.size(), kSaltSize);
  EXPECT_EQ(s->scram_sha256.salt.size(), kSaltSize);
  EXPECT_NE(s->scram_sha1.salt, s->scram_sha256.salt);
  EXPECT_TRUE(scram_secret_usable(ScramHash::kSha1, s->scram_sha1));
  EXPECT_TRUE(scram_secret_usable(ScramHash::kSha256, s->scram_sha256));

  EXPECT_TRUE(verify_plain(s->scram_sha256, ScramHash::kSha256, "correct horse"));
  EXPECT_TRUE(verify_plain(s->scram_sha1, ScramHash::kSha1, "correct horse"));
  // A non-ASCII space is mapped to U+0020 before checking.
  EXPECT_TRUE(verify_plain(s->scram_sha256, ScramHash::kSha256, "correct\xC2\xA0horse"));
  EXPECT_FALSE(verify_plain(s->scram_sha256, ScramHash::kSha256, "correct horsE"));
  EXPECT_FALSE(verify_plain(s->scram_sha256, ScramHash::kSha256, "correct"));
  EXPECT_FALSE(verify_plain(s->scram_sha256, ScramHash::kSha256, ""));
  EXPECT_FALSE(verify_plain(s->scram_sha256, ScramHash::kSha256, "correct\thorse"));
  // Wrong hash for the secret, or no secret at all.
  EXPECT_FALSE(verify_plain(s->scram_sha1, ScramHash::kSha256, "correct horse"));
  EXPECT_FALSE(verify_plain(ScramSecret{}, ScramHash::kSha256, "correct horse"));

  EXPECT_TRUE(verify_cram_md5(s->cram_md5, kRfc2195Challenge,
                              openssl_hmac_md5_hex("correct horse", kRfc2195Challenge)));
}

TEST(Password, DeriveSecretsUsesFreshSalts) {
  Result<PasswordSecrets> a = derive_secrets("correct horse");
  Result<PasswordSecrets> b = derive_secrets("correct horse");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->scram_sha256.salt, b->scram_sha256.salt);
  EXPECT_NE(a->scram_sha256.stored_key, b->scram_sha256.stored_key);
}

TEST(Password, DeriveSecretsRefusesShortPassword) {
  Result<PasswordSecrets> s = derive_secrets("short");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kUser);
  EXPECT_EQ(s.error().message, "password must be at least 8 characters");
}

TEST(Password, ScramSecretUsable) {
  ScramSecret s = test_secret(ScramHash::kSha256, "secret password");
  EXPECT_TRUE(scram_secret_usable(ScramHash::kSha256, s));
  EXPECT_FALSE(scram_secret_usable(ScramHash::kSha1, s));  // key lengths
  s.iterations = 0;
  EXPECT_FALSE(scram_secret_usable(ScramHash::kSha256, s));
}

// ---- normalize_password -----------------------------------------------------

TEST(NormalizePassword, Accepts) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"password", "password"},
      {"pass word", "pass word"},
      {"pass\xC2\xA0word", "pass word"},                     // U+00A0 NO-BREAK SPACE
      {"pass\xE3\x80\x80word", "pass word"},                 // U+3000 IDEOGRAPHIC SPACE
      {"pass\xE2\x80\x8Aword", "pass word"},                 // U+200A HAIR SPACE
      {"pass\xE2\x80\xAFword", "pass word"},                 // U+202F
      {"pass\xE1\x9A\x80word", "pass word"},                 // U+1680 OGHAM SPACE MARK
      {"p\xC3\xA4ssw\xC3\xB6rd", "p\xC3\xA4ssw\xC3\xB6rd"},  // äö kept
      {"\xF0\x9F\x94\x91\xF0\x9F\x94\x91", "\xF0\x9F\x94\x91\xF0\x9F\x94\x91"},  // 8 bytes
      {"\xE2\x80\x8Bxyzwvut", "\xE2\x80\x8Bxyzwvut"},  // U+200B is not Zs: kept
  };
  for (const Case& c : cases) {
    Result<std::string> r = normalize_password(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message;
    EXPECT_EQ(*r, c.out);
    // Idempotent.
    Result<std::string> again = normalize_password(*r);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, c.out);
  }
}

TEST(NormalizePassword, Refuses) {
  struct Case {
    std::string in;
    ErrorKind kind;
  };
  const Case cases[] = {
      {"", ErrorKind::kUser},
      {"short", ErrorKind::kUser},
      {"1234567", ErrorKind::kUser},
      {"pass\tword", ErrorKind::kUser},  // C0
      {std::string("pass\0word", 9), ErrorKind::kUser},
      {"password\r\n", ErrorKind::kUser},
      {"pass\x7Fword", ErrorKind::kUser},                // DEL
      {"pass\xC2\x85word", ErrorKind::kUser},            // U+0085 (C1)
      {"pass\xC2\x9Fword", ErrorKind::kUser},            // U+009F (C1)
      {"pass\xFFword", ErrorKind::kSyntax},              // invalid byte
      {"password\xC3", ErrorKind::kSyntax},              // truncated
      {"pass\xC0\xAFword", ErrorKind::kSyntax},          // overlong "/"
      {"pass\xE0\x80\xAFword", ErrorKind::kSyntax},      // overlong
      {"pass\xED\xA0\x80word", ErrorKind::kSyntax},      // surrogate U+D800
      {"pass\xF4\x90\x80\x80word", ErrorKind::kSyntax},  // above U+10FFFF
      {"pass\x80word", ErrorKind::kSyntax},              // lone continuation
  };
  for (const Case& c : cases) {
    Result<std::string> r = normalize_password(c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.error().kind, c.kind) << c.in << ": " << r.error().message;
  }
  EXPECT_EQ(normalize_password("short").error().message, "password must be at least 8 characters");
}

TEST(NormalizePassword, LengthCountsBytesAfterMapping) {
  // U+00A0 (2 bytes) maps to one byte: 7 bytes after mapping.
  EXPECT_FALSE(normalize_password("abc\xC2\xA0"
                                  "def")
                   .ok());
  EXPECT_TRUE(normalize_password("abcd\xC2\xA0"
                                 "def")
                  .ok());
  // prepare_password has no length rule.
  Result<std::string> p = prepare_password("abc");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "abc");
}

TEST(ValidUtf8, Basics) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("ascii"));
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xE2\x82"));
}

// ---- generate_password ------------------------------------------------------

static_assert(kPasswordAlphabet.size() == 26 + 26 + 10 + 17);
static_assert(rejection_bound(79) == 237);
static_assert(rejection_bound(256) == 256);
static_assert(rejection_bound(1) == 256);
static_assert(rejection_bound(100) == 200);

TEST(GeneratePassword, RejectionSamplingIsUnbiased) {
  const size_t n = kPasswordAlphabet.size();
  std::map<char, int> counts;
  int accepted = 0;
  for (int b = 0; b < 256; ++b) {
    std::optional<char> c = password_char_from_byte(static_cast<unsigned char>(b));
    EXPECT_EQ(c.has_value(), b < 237) << b;
    if (c) {
      ++accepted;
      ++counts[*c];
    }
  }
  EXPECT_EQ(accepted, 237);
  // Every character is produced by exactly 256/n (= 3) byte values.
  ASSERT_EQ(counts.size(), n);
  for (const auto& [c, count] : counts) EXPECT_EQ(count, 3) << c;
}

TEST(GeneratePassword, LengthAlphabetAndCoverage) {
  std::set<char> seen;
  std::set<std::string> passwords;
  for (int i = 0; i < 2000; ++i) {
    const std::string p = generate_password();
    ASSERT_EQ(p.size(), kGeneratedPasswordLength);
    for (char c : p) {
      ASSERT_NE(kPasswordAlphabet.find(c), std::string_view::npos) << c;
      seen.insert(c);
    }
    passwords.insert(p);
    EXPECT_TRUE(normalize_password(p).ok()) << p;
  }
  // 24000 characters, ~304 expected per character: all must appear.
  EXPECT_EQ(seen.size(), kPasswordAlphabet.size());
  EXPECT_EQ(passwords.size(), 2000u);
}

}  // namespace
}  // namespace mox::sasl
