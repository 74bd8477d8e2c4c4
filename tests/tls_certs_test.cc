// Tests for lib/tls/certs.h: loading chains and keys, names, SNI matching.
#include <gtest/gtest.h>

#include "net_test_util.h"
#include "tls/certs.h"

namespace mox::tls {
namespace {

TEST(DnsNameMatchesTest, Rules) {
  EXPECT_TRUE(dns_name_matches("mail.example.com", "mail.example.com"));
  EXPECT_TRUE(dns_name_matches("mail.example.com", "MAIL.Example.COM"));
  EXPECT_FALSE(dns_name_matches("mail.example.com", "example.com"));
  EXPECT_TRUE(dns_name_matches("*.example.com", "mail.example.com"));
  EXPECT_FALSE(dns_name_matches("*.example.com", "example.com"));
  EXPECT_FALSE(dns_name_matches("*.example.com", "a.b.example.com"));
  EXPECT_FALSE(dns_name_matches("*.example.com", ".example.com"));
  EXPECT_FALSE(dns_name_matches("*", "example"));
  EXPECT_FALSE(dns_name_matches("m*.example.com", "mail.example.com"));
  EXPECT_FALSE(dns_name_matches("", ""));
}

TEST(CertKeyTest, NamesFromSubjectAltName) {
  auto key = crypto::generate_ecdsa("P-256");
  auto cert = crypto::self_signed_cert_pem(key->get(), "Mail.Example.com",
                                           {"imap.example.com", "*.example.org"}, 1);
  auto pem = crypto::private_key_pkcs8_pem(key->get());
  auto ck = cert_key_from_pem(*cert, *pem, "t");
  ASSERT_TRUE(ck.ok()) << ck.error().message;
  EXPECT_EQ(ck->names,
            (std::vector<std::string>{"mail.example.com", "imap.example.com", "*.example.org"}));
  EXPECT_EQ(sk_X509_num(ck->chain.get()), 0);
}

TEST(CertKeyTest, ChainKept) {
  const auto& a = testing::mail_cert();
  auto other = testing::make_cert("intermediate.example");
  auto ck = cert_key_from_pem(a.cert_pem + other.cert_pem, a.key_pem, "t");
  ASSERT_TRUE(ck.ok());
  EXPECT_EQ(sk_X509_num(ck->chain.get()), 1);
  EXPECT_EQ(crypto::cert_subject_cn(sk_X509_value(ck->chain.get(), 0)), "intermediate.example");
}

TEST(CertKeyTest, Errors) {
  const auto& a = testing::mail_cert();
  EXPECT_EQ(cert_key_from_pem("", a.key_pem, "t").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(cert_key_from_pem(a.cert_pem, "", "t").error().kind, ErrorKind::kSyntax);
  auto other = testing::make_cert("x.example");
  EXPECT_EQ(cert_key_from_pem(a.cert_pem, other.key_pem, "t").error().kind, ErrorKind::kUser);
  auto r = load_cert_key("/nonexistent/cert.pem", "/nonexistent/key.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
}

TEST(CertsForNameTest, OrderAndDefault) {
  std::vector<CertKey> certs;
  certs.push_back(testing::cert_key(testing::mail_cert()));
  certs.push_back(testing::cert_key(testing::make_cert("*.example.com")));
  EXPECT_EQ(certs_for_name(certs, "mail.example.com"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(certs_for_name(certs, "imap.example.com"), (std::vector<size_t>{1}));
  EXPECT_TRUE(certs_for_name(certs, "example.net").empty());
}

}  // namespace
}  // namespace mox::tls
