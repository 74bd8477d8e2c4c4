// Tests for TLS through lib/net/conn.h with contexts from lib/tls: both
// handshake sides, SNI, versions, descriptions, channel binding, client
// certificates, TLS reads and writes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "crypto/cert.h"
#include "daemon/listener.h"
#include "net/conn.h"
#include "net_test_util.h"
#include "tls/client.h"
#include "tls/server.h"

namespace mox::tls {
namespace {

using namespace std::chrono_literals;
using mox::testing::cert_key;
using mox::testing::ConnPair;
using mox::testing::handshake;
using mox::testing::mail_cert;
using mox::testing::read_n;
using mox::testing::socket_pair;
using mox::testing::TempDir;
using mox::testing::write_text;

SslCtxPtr server_ctx(ServerTLSOptions opts = {}) {
  std::vector<CertKey> certs;
  certs.push_back(cert_key(mail_cert()));
  auto ctx = make_server_ctx(std::move(certs), "", opts);
  if (!ctx) std::abort();
  return std::move(*ctx);
}

SslCtxPtr client_ctx(ClientTLSOptions opts = testing::client_opts(false)) {
  auto ctx = make_client_ctx(opts);
  if (!ctx) std::abort();
  return std::move(*ctx);
}

TEST(TlsConnTest, HandshakeAndData) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
  ASSERT_TRUE(r.server.ok()) << r.server.error().message;
  ASSERT_TRUE(r.client.ok()) << r.client.error().message;
  EXPECT_TRUE(p.server.tls());
  EXPECT_TRUE(p.client.tls());
  ASSERT_TRUE(p.client.write_all("a1 NOOP\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.server, 9), "a1 NOOP\r\n");
  ASSERT_TRUE(p.server.write_all("a1 OK\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.client, 7), "a1 OK\r\n");
  EXPECT_EQ(p.server.sni(), "mail.example.com");
  EXPECT_EQ(p.server.peer_certificate(), nullptr);
  ASSERT_NE(p.client.peer_certificate(), nullptr);
  EXPECT_EQ(crypto::cert_subject_cn(p.client.peer_certificate()), "mail.example.com");
  EXPECT_FALSE(p.server.tls_resumed());
}

TEST(TlsConnTest, FromConfigFilesWithVerification) {
  TempDir dir;
  auto config = testing::make_config(dir);
  write_text(dir.file("config/mail.pem"), mail_cert().cert_pem);
  write_text(dir.file("config/mail-key.pem"), mail_cert().key_pem);
  config::TLSConfig tc;
  tc.key_certs.push_back({"mail.pem", "mail-key.pem"});
  auto sctx = daemon::make_server_ctx(*config, tc, {});
  ASSERT_TRUE(sctx.ok()) << sctx.error().message;
  auto cctx = client_ctx(testing::client_opts(true, dir.file("config/mail.pem")));
  {
    auto p = socket_pair();
    auto r = handshake(p, sctx->get(), cctx.get(), "mail.example.com");
    EXPECT_TRUE(r.server.ok()) << r.server.error().message;
    EXPECT_TRUE(r.client.ok()) << r.client.error().message;
  }
  {
    // The certificate does not name the host we asked for.
    auto p = socket_pair();
    auto r = handshake(p, sctx->get(), cctx.get(), "other.example.com");
    ASSERT_FALSE(r.client.ok());
    EXPECT_EQ(r.client.error().kind, ErrorKind::kPermanent);
    EXPECT_NE(r.client.error().message.find("certificate verify failed"), std::string::npos)
        << r.client.error().message;
    EXPECT_FALSE(r.server.ok());
  }
}

TEST(TlsConnTest, ConfigErrors) {
  TempDir dir;
  auto config = testing::make_config(dir);
  config::TLSConfig tc;
  EXPECT_EQ(daemon::make_server_ctx(*config, tc, {}).error().kind,
            ErrorKind::kUser);  // no KeyCerts
  tc.key_certs.push_back({"missing.pem", "missing-key.pem"});
  auto r = daemon::make_server_ctx(*config, tc, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(r.error().message.find(dir.file("config/missing.pem")), std::string::npos)
      << r.error().message;
  // A key that is not the certificate's.
  auto other = testing::make_cert("mail.example.com");
  write_text(dir.file("config/mail.pem"), mail_cert().cert_pem);
  write_text(dir.file("config/other-key.pem"), other.key_pem);
  tc.key_certs[0] = {"mail.pem", "other-key.pem"};
  r = daemon::make_server_ctx(*config, tc, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUser);
  EXPECT_NE(r.error().message.find("does not belong"), std::string::npos) << r.error().message;
  tc.key_certs[0] = {"mail.pem", dir.file("config/other-key.pem")};  // absolute path works too
  EXPECT_FALSE(daemon::make_server_ctx(*config, tc, {}).ok());
  write_text(dir.file("config/mail-key.pem"), mail_cert().key_pem);
  tc.key_certs[0] = {"mail.pem", "mail-key.pem"};
  tc.min_version = "TLSv1.1";
  EXPECT_EQ(daemon::make_server_ctx(*config, tc, {}).error().kind, ErrorKind::kUser);
}

// The peer's certificate CN as the client saw it, for `sni`.
std::string served_cn(SSL_CTX* sctx, const std::string& sni) {
  auto cctx = client_ctx();
  auto p = socket_pair();
  auto r = handshake(p, sctx, cctx.get(), sni);
  if (!r.server.ok() || !r.client.ok()) return "handshake failed";
  return crypto::cert_subject_cn(p.client.peer_certificate());
}

TEST(TlsConnTest, SniSelectsCertificate) {
  std::vector<CertKey> certs;
  certs.push_back(cert_key(mail_cert()));                                   // default, ECDSA
  certs.push_back(cert_key(testing::make_cert("imap.example.org", true)));  // ed25519
  certs.push_back(cert_key(testing::make_cert("*.wild.example")));
  auto sctx = make_server_ctx(std::move(certs), "", {});
  ASSERT_TRUE(sctx.ok()) << sctx.error().message;
  EXPECT_EQ(served_cn(sctx->get(), "mail.example.com"), "mail.example.com");
  EXPECT_EQ(served_cn(sctx->get(), "imap.example.org"), "imap.example.org");
  EXPECT_EQ(served_cn(sctx->get(), "IMAP.Example.ORG"), "imap.example.org");
  EXPECT_EQ(served_cn(sctx->get(), "a.wild.example"), "*.wild.example");
  EXPECT_EQ(served_cn(sctx->get(), "a.b.wild.example"), "mail.example.com");
  EXPECT_EQ(served_cn(sctx->get(), "unknown.example"), "mail.example.com");
  EXPECT_EQ(served_cn(sctx->get(), ""), "mail.example.com");
  EXPECT_EQ(served_cn(sctx->get(), "127.0.0.1"), "mail.example.com");  // no SNI for IPs
}

TEST(TlsConnTest, Tls11Refused) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  // A client that only speaks TLS 1.0/1.1 (and is allowed to by its own
  // security level) really offers them; the server must refuse.
  SSL_CTX_set_security_level(cctx.get(), 0);
  ASSERT_EQ(SSL_CTX_set_cipher_list(cctx.get(), "DEFAULT@SECLEVEL=0"), 1);
  ASSERT_EQ(SSL_CTX_set_min_proto_version(cctx.get(), TLS1_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx.get(), TLS1_1_VERSION), 1);
  auto p = socket_pair();
  auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
  ASSERT_FALSE(r.server.ok());
  EXPECT_FALSE(r.client.ok());
  EXPECT_EQ(r.server.error().kind, ErrorKind::kPermanent);
  EXPECT_NE(r.server.error().message.find("unsupported protocol"), std::string::npos)
      << r.server.error().message;
}

TEST(TlsConnTest, MinVersionTls13) {
  std::vector<CertKey> certs;
  certs.push_back(cert_key(mail_cert()));
  auto sctx = make_server_ctx(std::move(certs), "TLSv1.3", {});
  ASSERT_TRUE(sctx.ok());
  auto cctx = client_ctx();
  ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx.get(), TLS1_2_VERSION), 1);
  auto p = socket_pair();
  auto r = handshake(p, sctx->get(), cctx.get(), "mail.example.com");
  EXPECT_FALSE(r.server.ok());
  EXPECT_FALSE(r.client.ok());
}

TEST(TlsConnTest, Description) {
  auto sctx = server_ctx();
  {
    auto cctx = client_ctx();
    auto p = socket_pair();
    auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
    ASSERT_TRUE(r.server.ok() && r.client.ok());
    std::regex want(
        "version=tls1\\.3 "
        "ciphersuite=tls_(aes_128_gcm_sha256|aes_256_gcm_sha384|chacha20_poly1305_sha256) "
        "sni=mail\\.example\\.com resumed=false alpn=");
    EXPECT_TRUE(std::regex_match(p.server.tls_description(), want)) << p.server.tls_description();
    EXPECT_EQ(p.server.tls_description(), p.client.tls_description());
  }
  {
    // TLS 1.2 without SNI: our cipher preference picks the first suite.
    auto cctx = client_ctx();
    ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx.get(), TLS1_2_VERSION), 1);
    auto p = socket_pair();
    auto r = handshake(p, sctx.get(), cctx.get(), "");
    ASSERT_TRUE(r.server.ok() && r.client.ok());
    EXPECT_EQ(p.server.tls_description(),
              "version=tls1.2 ciphersuite=tls_ecdhe_ecdsa_with_aes_128_gcm_sha256 sni= "
              "resumed=false alpn=");
  }
}

TEST(TlsConnTest, ExporterChannelBinding) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  std::string first;
  for (int i = 0; i < 2; i++) {
    auto p = socket_pair();
    auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
    ASSERT_TRUE(r.server.ok() && r.client.ok());
    auto s = p.server.tls_exporter_channel_binding();
    auto c = p.client.tls_exporter_channel_binding();
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(s->size(), 32u);
    EXPECT_EQ(*s, *c);
    if (i == 0) {
      first = *s;
    } else {
      EXPECT_NE(*s, first);  // unique per connection
    }
  }
}

TEST(TlsConnTest, ExporterTls12NeedsExtendedMasterSecret) {
  auto sctx = server_ctx();
  {
    auto cctx = client_ctx();
    ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx.get(), TLS1_2_VERSION), 1);
    auto p = socket_pair();
    ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").server.ok());
    auto s = p.server.tls_exporter_channel_binding();
    auto c = p.client.tls_exporter_channel_binding();
    ASSERT_TRUE(s.ok() && c.ok());
    EXPECT_EQ(*s, *c);
  }
  {
    auto cctx = client_ctx();
    ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx.get(), TLS1_2_VERSION), 1);
    SSL_CTX_set_options(cctx.get(), SSL_OP_NO_EXTENDED_MASTER_SECRET);
    auto p = socket_pair();
    ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").server.ok());
    auto s = p.server.tls_exporter_channel_binding();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("extended master secret"), std::string::npos);
  }
}

TEST(TlsConnTest, ClientCertificateRequested) {
  ServerTLSOptions request;
  request.request_client_cert = true;
  auto sctx = server_ctx(request);
  auto key = crypto::generate_ed25519();
  ASSERT_TRUE(key.ok());
  auto cert = crypto::minimal_cert_pem(key->get(), 1);
  auto key_pem = crypto::private_key_pkcs8_pem(key->get());
  ASSERT_TRUE(cert.ok() && key_pem.ok());
  {
    auto cctx = client_ctx(testing::client_opts(false, "", *cert, *key_pem));
    auto p = socket_pair();
    auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
    ASSERT_TRUE(r.server.ok()) << r.server.error().message;
    ASSERT_TRUE(r.client.ok()) << r.client.error().message;
    ASSERT_NE(p.server.peer_certificate(), nullptr);
    EXPECT_TRUE(crypto::same_public_key(X509_get0_pubkey(p.server.peer_certificate()), key->get()));
  }
  {
    // Requested, not required.
    auto cctx = client_ctx();
    auto p = socket_pair();
    auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
    ASSERT_TRUE(r.server.ok() && r.client.ok());
    EXPECT_EQ(p.server.peer_certificate(), nullptr);
  }
  {
    // A per-connection check (set in `prepare`) rejects the key: the server
    // fails the handshake with alert 42 bad_certificate (mox-smtpd(8)
    // "Authentication"); a TLS 1.3 client learns it on its first read. The
    // check saw the leaf.
    auto cctx = client_ctx(testing::client_opts(false, "", *cert, *key_pem));
    auto p = socket_pair();
    bool same_key = false;
    ClientCertCheck reject = [&](X509* leaf) {
      same_key = crypto::same_public_key(X509_get0_pubkey(leaf), key->get());
      return false;
    };
    auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com", nullptr,
                       [&](SSL* ssl) { set_client_cert_check(ssl, &reject); });
    EXPECT_TRUE(same_key);
    ASSERT_FALSE(r.server.ok());
    Status client = r.client;
    if (client.ok()) {
      char buf[8];
      auto rd = p.client.read_some(buf, sizeof buf, 5s);
      ASSERT_FALSE(rd.ok());
      client = rd.error();
    }
    EXPECT_NE(client.error().message.find("bad certificate"), std::string::npos)
        << client.error().message;
  }
}

TEST(TlsConnTest, ReadTimeoutAndEof) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").client.ok());
  char buf[16];
  auto r = p.server.read_some(buf, sizeof buf, 100ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "timeout");
  // close_notify: end of stream.
  p.client.shutdown();
  r = p.server.read_some(buf, sizeof buf, 1s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 0u);
}

TEST(TlsConnTest, EofWithoutCloseNotify) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").client.ok());
  // The client reads everything sent (also the TLS 1.3 tickets): a socket
  // closed with unread data resets the connection instead.
  ASSERT_TRUE(p.server.write_all("x", 1s).ok());
  EXPECT_EQ(read_n(p.client, 1), "x");
  { net::Conn gone = std::move(p.client); }  // destructor: no close_notify
  char buf[16];
  auto r = p.server.read_some(buf, sizeof buf, 1s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 0u);
}

// The close_notify and writes to a peer that is gone give errors, not a
// SIGPIPE (which this test process does not ignore).
TEST(TlsConnTest, PeerGoneNoSigpipe) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").client.ok());
  p.client.shutdown();
  std::this_thread::sleep_for(10ms);
  Status st;
  for (int i = 0; i < 10 && st.ok(); i++) st = p.server.write_all(std::string(65536, 'x'), 1s);
  EXPECT_FALSE(st.ok());
  p.server.shutdown();
}

TEST(TlsConnTest, LargeTransferBothWays) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").client.ok());
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>('a' + i % 26);
  std::thread t([&] { EXPECT_TRUE(p.server.write_all(data, 20s).ok()); });
  EXPECT_EQ(read_n(p.client, data.size()), data);
  t.join();
  std::thread t2([&] { EXPECT_EQ(read_n(p.server, data.size()), data); });
  EXPECT_TRUE(p.client.write_all(data, 20s).ok());
  t2.join();
}

TEST(TlsConnTest, HandshakeTimeout) {
  auto sctx = server_ctx();
  auto p = socket_pair();  // the client never speaks
  auto st = p.server.start_tls_server(sctx.get(), 100ms);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(st.error().message, "timeout");
}

TEST(TlsConnTest, HandshakeWithPlaintextPeer) {
  auto sctx = server_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(p.client.write_all("EHLO example.org\r\n", 1s).ok());
  auto st = p.server.start_tls_server(sctx.get(), 1s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kPermanent);
  EXPECT_NE(st.error().message.find("tls handshake"), std::string::npos);
  p.server.shutdown();  // no close_notify after a failed handshake; no crash
}

TEST(TlsConnTest, StartTlsTwiceRefused) {
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto p = socket_pair();
  ASSERT_TRUE(handshake(p, sctx.get(), cctx.get(), "").client.ok());
  EXPECT_EQ(p.server.start_tls_server(sctx.get(), 1s).error().kind, ErrorKind::kUser);
}

// TLS over two pipes, as with inetd's fd 0 and fd 1.
TEST(TlsConnTest, OverPipes) {
  int a[2], b[2];
  ASSERT_EQ(::pipe2(a, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(b, O_CLOEXEC), 0);
  ConnPair p{net::Conn(net::UniqueFd(a[0]), net::UniqueFd(b[1])),
             net::Conn(net::UniqueFd(b[0]), net::UniqueFd(a[1]))};
  auto sctx = server_ctx();
  auto cctx = client_ctx();
  auto r = handshake(p, sctx.get(), cctx.get(), "mail.example.com");
  ASSERT_TRUE(r.server.ok()) << r.server.error().message;
  ASSERT_TRUE(r.client.ok()) << r.client.error().message;
  ASSERT_TRUE(p.client.write_all("hello", 1s).ok());
  EXPECT_EQ(read_n(p.server, 5), "hello");
  EXPECT_EQ(p.server.remote_ip(), "");
}

}  // namespace
}  // namespace mox::tls
