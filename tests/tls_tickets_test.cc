// Tests for lib/tls/tickets.h: the key file, rotation, and session
// resumption across separately made SSL_CTXs, as two processes would have.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>

#include "net_test_util.h"
#include "tls/client.h"
#include "tls/server.h"
#include "tls/tickets.h"
#include "util/fs.h"

namespace mox::tls {
namespace {

using namespace std::chrono_literals;
using mox::testing::cert_key;
using mox::testing::handshake;
using mox::testing::mail_cert;
using mox::testing::read_n;
using mox::testing::socket_pair;
using mox::testing::TempDir;

constexpr int64_t kT0 = 1700000000;
constexpr int64_t kDay = 24 * 3600;

TEST(TicketKeyFileTest, RoundTrip) {
  TicketKey a, b;
  a.created = 100;
  a.name.fill(1), a.aes.fill(2), a.hmac.fill(3);
  b.created = 200;
  b.name.fill(0xab), b.aes.fill(0xcd), b.hmac.fill(0xef);
  std::string text = format_ticket_keys({b, a});
  auto keys = parse_ticket_keys(text, "f");
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].created, 200);
  EXPECT_EQ((*keys)[0].name, b.name);
  EXPECT_EQ((*keys)[1].hmac, a.hmac);
  // Sorted newest first whatever the file order.
  keys = parse_ticket_keys(format_ticket_keys({a, b}), "f");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[0].created, 200);
}

TEST(TicketKeyFileTest, Malformed) {
  std::string good = format_ticket_keys({TicketKey{}});
  for (const std::string& bad :
       std::vector<std::string>{"x\n", good.substr(0, good.size() - 3) + "\n", "# c\n1 00 00 00\n",
                                "-\n", good + "1 2 3\n"}) {
    auto r = parse_ticket_keys(bad, "/data/tls-ticket-keys");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
    EXPECT_EQ(r.error().message.rfind("/data/tls-ticket-keys:", 0), 0u) << r.error().message;
  }
}

TEST(TicketKeysTest, CreateReuseRotate) {
  TempDir dir;
  std::string path = dir.file("tls-ticket-keys");
  std::atomic<int64_t> now{kT0};
  auto clock = [&] { return now.load(); };
  auto k1 = TicketKeys::open(path, clock);
  ASSERT_TRUE(k1.ok()) << k1.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ((*k1)->keys().size(), 1u);
  // A second "process" reads the same key.
  auto k2 = TicketKeys::open(path, clock);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ((*k2)->keys()[0].name, (*k1)->keys()[0].name);
  // Less than a day later: same key.
  now = kT0 + kDay - 1;
  EXPECT_EQ((*k1)->encryption_key()->name, (*k1)->keys()[0].name);
  ASSERT_EQ((*k1)->keys().size(), 1u);
  // A day later: a new key encrypts, the old one still decrypts.
  auto old_name = (*k1)->keys()[0].name;
  now = kT0 + kDay;
  auto enc = (*k1)->encryption_key();
  ASSERT_TRUE(enc.ok());
  EXPECT_NE(enc->name, old_name);
  bool newest = true;
  ASSERT_TRUE((*k1)->decryption_key(old_name.data(), &newest).has_value());
  EXPECT_FALSE(newest);
  ASSERT_TRUE((*k1)->decryption_key(enc->name.data(), &newest).has_value());
  EXPECT_TRUE(newest);
  // The other process sees the rotation once it re-checks the file.
  now = kT0 + kDay + TicketKeys::kRecheckSeconds;
  EXPECT_EQ((*k2)->encryption_key()->name, enc->name);
  // Rotations keep the newest and 7 older keys.
  for (int d = 2; d < 12; d++) {
    now = kT0 + d * kDay;
    ASSERT_TRUE((*k1)->encryption_key().ok());
  }
  auto keys = (*k1)->keys();
  ASSERT_EQ(keys.size(), 8u);
  EXPECT_EQ(keys[0].created, kT0 + 11 * kDay);
  EXPECT_EQ(keys[7].created, kT0 + 4 * kDay);
  EXPECT_FALSE((*k1)->decryption_key(old_name.data(), &newest).has_value());
  auto file = read_file(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(parse_ticket_keys(*file, path)->size(), 8u);
}

TEST(TicketKeysTest, RefusesFileReadableByOthers) {
  TempDir dir;
  std::string path = dir.file("tls-ticket-keys");
  ASSERT_TRUE(TicketKeys::open(path, [] { return kT0; }).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto r = TicketKeys::open(path, [] { return kT0; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUser);
  EXPECT_NE(r.error().message.find("0600"), std::string::npos);
}

TEST(TicketKeysTest, ConcurrentCreationAgrees) {
  TempDir dir;
  std::string path = dir.file("tls-ticket-keys");
  std::vector<std::shared_ptr<TicketKeys>> got(8);
  std::vector<std::thread> ts;
  for (size_t i = 0; i < got.size(); i++) {
    ts.emplace_back([&, i] {
      auto k = TicketKeys::open(path, [] { return kT0; });
      ASSERT_TRUE(k.ok()) << k.error().message;
      got[i] = *k;
    });
  }
  for (auto& t : ts) t.join();
  for (auto& k : got) {
    ASSERT_TRUE(k);
    ASSERT_EQ(k->keys().size(), 1u);
    EXPECT_EQ(k->keys()[0].name, got[0]->keys()[0].name);
  }
}

// A server context as one process would make it from the shared files.
SslCtxPtr process_ctx(const std::string& ticket_file, std::function<int64_t()> now,
                      bool client_cert = false) {
  std::vector<CertKey> certs;
  certs.push_back(cert_key(mail_cert()));
  ServerTLSOptions opts;
  opts.ticket_key_file = ticket_file;
  opts.now = std::move(now);
  opts.request_client_cert = client_cert;
  auto ctx = make_server_ctx(std::move(certs), "", opts);
  if (!ctx) {
    ADD_FAILURE() << ctx.error().message;
    std::abort();
  }
  return std::move(*ctx);
}

struct Outcome {
  bool ok = false, resumed = false;
  SslSessionPtr session;  // for the next connection
  std::string description;
  bool server_has_peer_cert = false;
};

// One connection: handshake, a line from the server (so the client
// processes the TLS 1.3 tickets), the client's session.
Outcome connect(SSL_CTX* sctx, SSL_CTX* cctx, SSL_SESSION* resume) {
  Outcome o;
  auto p = socket_pair();
  auto r = handshake(p, sctx, cctx, "mail.example.com", resume);
  if (!r.server.ok() || !r.client.ok()) {
    ADD_FAILURE() << (r.server.ok() ? r.client : r.server).error().message;
    return o;
  }
  EXPECT_TRUE(p.server.write_all("* OK\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.client, 6), "* OK\r\n");
  o.ok = true;
  o.resumed = p.server.tls_resumed();
  EXPECT_EQ(o.resumed, p.client.tls_resumed());
  o.description = p.server.tls_description();
  o.server_has_peer_cert = p.server.peer_certificate() != nullptr;
  o.session = p.client.tls_session();
  p.client.shutdown();
  p.server.shutdown();
  return o;
}

SslCtxPtr client_ctx(int max_version = 0) {
  auto ctx = make_client_ctx(testing::client_opts(false));
  if (!ctx) std::abort();
  if (max_version) SSL_CTX_set_max_proto_version(ctx->get(), max_version);
  return std::move(*ctx);
}

class ResumptionTest : public ::testing::TestWithParam<int> {};

// docs/DESIGN.md "Shared state between processes": a session from "process" 1
// resumes with "process" 2.
TEST_P(ResumptionTest, AcrossContexts) {
  TempDir dir;
  std::string file = dir.file("tls-ticket-keys");
  auto clock = [] { return kT0; };
  auto ctx1 = process_ctx(file, clock);
  auto ctx2 = process_ctx(file, clock);
  auto cctx = client_ctx(GetParam());
  Outcome first = connect(ctx1.get(), cctx.get(), nullptr);
  ASSERT_TRUE(first.ok);
  EXPECT_FALSE(first.resumed);
  ASSERT_TRUE(first.session);
  ASSERT_EQ(SSL_SESSION_is_resumable(first.session.get()), 1);
  Outcome second = connect(ctx2.get(), cctx.get(), first.session.get());
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(second.resumed);
  EXPECT_NE(second.description.find(" resumed=true "), std::string::npos) << second.description;
}

TEST_P(ResumptionTest, NotAcrossContextsWithoutSharedKeys) {
  auto cctx = client_ctx(GetParam());
  auto ctx1 = process_ctx("", nullptr);
  auto ctx2 = process_ctx("", nullptr);
  Outcome first = connect(ctx1.get(), cctx.get(), nullptr);
  ASSERT_TRUE(first.ok);
  Outcome second = connect(ctx2.get(), cctx.get(), first.session.get());
  ASSERT_TRUE(second.ok);
  EXPECT_FALSE(second.resumed);
  // Within one process it does resume.
  Outcome third = connect(ctx1.get(), cctx.get(), first.session.get());
  EXPECT_TRUE(third.resumed);
}

INSTANTIATE_TEST_SUITE_P(Versions, ResumptionTest, ::testing::Values(0, TLS1_2_VERSION),
                         [](const auto& info) {
                           return std::string(info.param == 0 ? "Tls13" : "Tls12");
                         });

TEST(ResumptionRotationTest, OldKeysDecryptUntilDropped) {
  TempDir dir;
  std::string file = dir.file("tls-ticket-keys");
  std::atomic<int64_t> now{kT0};
  auto clock = [&] { return now.load(); };
  auto cctx = client_ctx();
  auto ctx1 = process_ctx(file, clock);
  Outcome first = connect(ctx1.get(), cctx.get(), nullptr);
  ASSERT_TRUE(first.ok);

  // A day later another process rotates; the old ticket still resumes and
  // the client gets a ticket under the new key.
  now = kT0 + kDay + 1;
  auto ctx2 = process_ctx(file, clock);
  Outcome second = connect(ctx2.get(), cctx.get(), first.session.get());
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(second.resumed);

  // Seven more daily rotations push the first key out of the file.
  for (int d = 2; d <= 8; d++) {
    now = kT0 + d * kDay + 1;
    ASSERT_TRUE(TicketKeys::open(file, clock).ok());
  }
  auto ctx3 = process_ctx(file, clock);
  Outcome third = connect(ctx3.get(), cctx.get(), first.session.get());
  ASSERT_TRUE(third.ok);
  EXPECT_FALSE(third.resumed);
  // The ticket from the second connection (key of day 1) is still good.
  Outcome fourth = connect(ctx3.get(), cctx.get(), second.session.get());
  ASSERT_TRUE(fourth.ok);
  EXPECT_TRUE(fourth.resumed);
}

// mox-smtpd(8) "Authentication": after resumption the client certificate is
// still known, so the server can check its public key against auth.db again.
TEST(ResumptionClientCertTest, PeerCertificateKept) {
  TempDir dir;
  std::string file = dir.file("tls-ticket-keys");
  auto clock = [] { return kT0; };
  auto ctx1 = process_ctx(file, clock, true);
  auto ctx2 = process_ctx(file, clock, true);
  auto key = crypto::generate_ed25519();
  auto cert = crypto::minimal_cert_pem(key->get(), 7);
  auto key_pem = crypto::private_key_pkcs8_pem(key->get());
  auto cctx = make_client_ctx(testing::client_opts(false, "", *cert, *key_pem));
  ASSERT_TRUE(cctx.ok());
  Outcome first = connect(ctx1.get(), cctx->get(), nullptr);
  ASSERT_TRUE(first.ok);
  EXPECT_TRUE(first.server_has_peer_cert);
  Outcome second = connect(ctx2.get(), cctx->get(), first.session.get());
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(second.resumed);
  EXPECT_TRUE(second.server_has_peer_cert);
  // A context that does not ask for client certificates does not resume
  // these sessions (different session id context).
  auto plain = process_ctx(file, clock, false);
  Outcome third = connect(plain.get(), cctx->get(), first.session.get());
  ASSERT_TRUE(third.ok);
  EXPECT_FALSE(third.resumed);
}

}  // namespace
}  // namespace mox::tls
