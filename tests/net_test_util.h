// Helpers for the net_* and tls_* tests: temp dirs, self-signed certificates,
// a test Config, connected Conn pairs and two-sided TLS handshakes.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "crypto/cert.h"
#include "crypto/keys.h"
#include "net/activation.h"
#include "net/conn.h"
#include "tls/certs.h"
#include "tls/client.h"
#include "util/result.h"

namespace mox::testing {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mox-net-test.XXXXXX";
    char* p = ::mkdtemp(tmpl);
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// A self-signed certificate and its key, as PEM.
struct TestCert {
  std::string cert_pem, key_pem;
};

inline TestCert make_cert(const std::string& host, bool ed25519 = false) {
  auto key = ed25519 ? crypto::generate_ed25519() : crypto::generate_ecdsa("P-256");
  if (!key) std::abort();
  auto cert = crypto::self_signed_cert_pem(key->get(), host, {}, 30);
  auto pem = crypto::private_key_pkcs8_pem(key->get());
  if (!cert || !pem) std::abort();
  return {*cert, *pem};
}

// Cached: certificate generation is slow under sanitizers.
inline const TestCert& mail_cert() {
  static TestCert c = make_cert("mail.example.com");
  return c;
}

inline tls::CertKey cert_key(const TestCert& c) {
  auto ck = tls::cert_key_from_pem(c.cert_pem, c.key_pem, "test");
  if (!ck) std::abort();
  return std::move(*ck);
}

inline tls::ClientTLSOptions client_opts(bool verify, std::string ca_file = "",
                                         std::string cert_pem = "", std::string key_pem = "") {
  tls::ClientTLSOptions o;
  o.verify = verify;
  o.ca_file = std::move(ca_file);
  o.cert_pem = std::move(cert_pem);
  o.key_pem = std::move(key_pem);
  return o;
}

// A minimal valid Config under `dir`: config/mox.conf (not written; the
// config is made in memory), data dir "../data", certs in config/.
inline std::shared_ptr<const config::Config> make_config(const TempDir& dir) {
  std::string cfg = dir.file("config");
  ::mkdir(cfg.c_str(), 0700);
  ::mkdir(dir.file("data").c_str(), 0700);
  config::Static st;
  st.data_dir = "../data";
  st.hostname = "mail.example.com";
  st.postmaster.account = "mjl";
  config::Dynamic dyn;
  dyn.domains["example.com"] = config::Domain{};
  config::Account acc;
  acc.domain = "example.com";
  dyn.accounts["mjl"] = acc;
  auto c = config::Config::make(cfg + "/mox.conf", st, dyn);
  if (!c) {
    ADD_FAILURE() << c.error().message;
    std::abort();
  }
  return *c;
}

// Two connected Conns over a unix socketpair.
struct ConnPair {
  net::Conn server, client;
};

inline ConnPair socket_pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
  return {net::Conn(net::UniqueFd(sv[0])), net::Conn(net::UniqueFd(sv[1]))};
}

struct HandshakeResult {
  Status server, client;
};

// Runs the server handshake in a thread and the client one here.
inline HandshakeResult handshake(ConnPair& p, SSL_CTX* sctx, SSL_CTX* cctx, const std::string& sni,
                                 SSL_SESSION* resume = nullptr,
                                 std::function<void(SSL*)> prepare = nullptr) {
  HandshakeResult r;
  std::thread t([&] {
    r.server = p.server.start_tls_server(sctx, 5s, prepare);
    if (!r.server.ok()) p.server.shutdown();  // unblock a waiting client
  });
  r.client = p.client.start_tls_client(cctx, sni, 5s, resume);
  if (!r.client.ok()) p.client.shutdown();  // unblock a waiting server
  t.join();
  return r;
}

// Reads exactly `n` bytes (or fails the test).
inline std::string read_n(net::Conn& c, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    auto r = c.read_some(buf, std::min(sizeof buf, n - out.size()), 5s);
    if (!r.ok()) {
      ADD_FAILURE() << "read: " << r.error().message;
      return out;
    }
    if (*r == 0) {
      ADD_FAILURE() << "unexpected EOF";
      return out;
    }
    out.append(buf, *r);
  }
  return out;
}

}  // namespace mox::testing
