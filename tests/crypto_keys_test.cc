// Tests for lib/crypto/keys.h and lib/crypto/cert.h. Shells out to the
// openssl(1) command (and basenc(1)) to prove interoperability; paths passed
// to the shell are our own temp paths only.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/cert.h"
#include "crypto/keys.h"
#include "util/encoding.h"

namespace mox::crypto {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mox-crypto-test.XXXXXX";
    char* p = ::mkdtemp(tmpl);
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

EVP_PKEY* rsa2048() {
  static PKeyPtr key = std::move(generate_rsa(2048).value());
  return key.get();
}

EVP_PKEY* ed25519() {
  static PKeyPtr key = std::move(generate_ed25519().value());
  return key.get();
}

EVP_PKEY* p256() {
  static PKeyPtr key = std::move(generate_ecdsa("P-256").value());
  return key.get();
}

std::string pem_of_key(EVP_PKEY* key, std::string_view note = {}) {
  auto pem = private_key_pkcs8_pem(key, note);
  EXPECT_TRUE(pem.ok()) << pem.error().message;
  return pem.ok() ? *pem : std::string();
}

// ---- generation, types ----

TEST(Keys, GenerateRsa) {
  EXPECT_EQ(key_type(rsa2048()), KeyType::kRsa);
  EXPECT_EQ(key_bits(rsa2048()), 2048);
  auto small = generate_rsa(512);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().kind, ErrorKind::kUser);
}

TEST(Keys, GenerateEd25519AndEcdsa) {
  EXPECT_EQ(key_type(ed25519()), KeyType::kEd25519);
  EXPECT_EQ(key_type(p256()), KeyType::kEcdsa);
  EXPECT_EQ(key_bits(p256()), 256);
  auto bad = generate_ecdsa("no-such-curve");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kUser);
}

TEST(Keys, TlsPubkeyType) {
  struct Case {
    const char* what;
    Result<PKeyPtr> key;
    const char* want;  // nullptr: user_error
  };
  Case cases[] = {
      {"rsa-1024", generate_rsa(1024), nullptr},
      {"rsa-2048", generate_rsa(2048), "rsa-2048"},
      {"p256", generate_ecdsa("P-256"), "ecdsa-p256"},
      {"p384", generate_ecdsa("P-384"), "ecdsa-p384"},
      {"p521", generate_ecdsa("P-521"), "ecdsa-p521"},
      {"prime256v1", generate_ecdsa("prime256v1"), "ecdsa-p256"},
      {"ed25519", generate_ed25519(), "ed25519"},
      {"secp256k1", generate_ecdsa("secp256k1"), nullptr},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.what);
    ASSERT_TRUE(c.key.ok()) << c.key.error().message;
    auto t = tls_pubkey_type(c.key->get());
    if (c.want == nullptr) {
      ASSERT_FALSE(t.ok()) << *t;
      EXPECT_EQ(t.error().kind, ErrorKind::kUser);
    } else {
      ASSERT_TRUE(t.ok()) << t.error().message;
      EXPECT_EQ(*t, c.want);
    }
  }
  // Other key types (here X25519) are refused too.
  PKeyPtr x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ASSERT_TRUE(x25519);
  EXPECT_EQ(key_type(x25519.get()), KeyType::kOther);
  auto t = tls_pubkey_type(x25519.get());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kUser);
}

TEST(Keys, Ed25519Seed) {
  auto seed = ed25519_seed(ed25519());
  ASSERT_TRUE(seed.ok()) << seed.error().message;
  EXPECT_EQ(seed->size(), 32u);
  auto again = ed25519_from_seed(*seed);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(same_public_key(again->get(), ed25519()));
  auto raw = ed25519_public_raw(ed25519());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->size(), 32u);

  EXPECT_EQ(ed25519_from_seed("short").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(ed25519_seed(rsa2048()).error().kind, ErrorKind::kUser);
  EXPECT_EQ(ed25519_public_raw(p256()).error().kind, ErrorKind::kUser);
}

// ---- PEM ----

TEST(Keys, Pkcs8PemRoundTripWithNote) {
  TempDir dir;
  int i = 0;
  for (EVP_PKEY* key : {rsa2048(), ed25519(), p256()}) {
    SCOPED_TRACE(i);
    std::string note = "dkim signing key for selector 2024a domain example.org";
    std::string pem = pem_of_key(key, note);
    EXPECT_EQ(pem.rfind("Note: " + note + "\n-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;
    EXPECT_NE(pem.find("-----END PRIVATE KEY-----\n"), std::string::npos);

    auto back = load_private_key_pem(pem);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(same_public_key(back->get(), key));
    // Re-encoding the loaded key gives the same PKCS#8 block.
    EXPECT_EQ("Note: " + note + "\n" + pem_of_key(back->get()), pem);

    std::string path = dir.file("key" + std::to_string(i++) + ".pem");
    write_file(path, pem);
    EXPECT_TRUE(run("openssl pkey -in '" + path + "' -noout 2>/dev/null")) << pem;
  }
  EXPECT_EQ(pem_of_key(ed25519()).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
}

TEST(Keys, PemNoteMustBeOneLine) {
  auto pem = private_key_pkcs8_pem(ed25519(), "two\nlines");
  ASSERT_FALSE(pem.ok());
  EXPECT_EQ(pem.error().kind, ErrorKind::kUser);
}

TEST(Keys, LoadMoxStyleHeaderInsideBlock) {
  // mox (Go encoding/pem) writes the Note as an RFC 1421 header in the block.
  std::string pem = pem_of_key(rsa2048());
  std::string begin = "-----BEGIN PRIVATE KEY-----\n";
  pem.insert(begin.size(), "Note: dkim key, written by mox\n\n");
  auto key = load_private_key_pem(pem);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_TRUE(same_public_key(key->get(), rsa2048()));
}

TEST(Keys, LoadTraditionalPem) {
  for (EVP_PKEY* key : {rsa2048(), p256()}) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(
        PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        1);
    std::string pem = bio_to_string(bio.get());
    EXPECT_TRUE(pem.find("-----BEGIN RSA PRIVATE KEY-----") != std::string::npos ||
                pem.find("-----BEGIN EC PRIVATE KEY-----") != std::string::npos)
        << pem;
    auto back = load_private_key_pem(pem);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(same_public_key(back->get(), key));
  }
}

TEST(Keys, LoadKeyAfterCertificate) {
  auto cert = minimal_cert_pem(ed25519(), 1);
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  std::string combined = *cert + pem_of_key(ed25519(), "client key");
  auto key = load_private_key_pem(combined);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_TRUE(same_public_key(key->get(), ed25519()));
}

TEST(Keys, LoadErrors) {
  EXPECT_EQ(load_private_key_pem("").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_private_key_pem("not pem at all\n").error().kind, ErrorKind::kSyntax);
  auto cert = minimal_cert_pem(ed25519(), 1);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(load_private_key_pem(*cert).error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_private_key_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .error()
                .kind,
            ErrorKind::kSyntax);
  EXPECT_EQ(load_private_key_pem("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n")
                .error()
                .kind,
            ErrorKind::kSyntax);

  // Encrypted PKCS#8 is refused without prompting for a pass phrase.
  BioPtr bio(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), ed25519(), EVP_aes_256_cbc(), pass, 6, nullptr,
                                          nullptr),
            1);
  auto enc = load_private_key_pem(bio_to_string(bio.get()));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().kind, ErrorKind::kUser);
  EXPECT_EQ(openssl_error(), "no openssl error");  // nothing left behind
}

// ---- SPKI and fingerprints ----

TEST(Keys, Sha256) {
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Keys, SpkiDerRoundTrip) {
  auto der = public_key_spki_der(rsa2048());
  ASSERT_TRUE(der.ok()) << der.error().message;
  auto pub = load_public_key_spki_der(*der);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_TRUE(same_public_key(pub->get(), rsa2048()));
  EXPECT_FALSE(same_public_key(pub->get(), ed25519()));
  EXPECT_EQ(load_public_key_spki_der(*der + "x").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_public_key_spki_der("junk").error().kind, ErrorKind::kSyntax);
}

TEST(Keys, SpkiFingerprintMatchesOpenssl) {
  TempDir dir;
  int i = 0;
  for (EVP_PKEY* key : {rsa2048(), ed25519(), p256()}) {
    SCOPED_TRACE(i);
    auto fp = spki_fingerprint(key);
    ASSERT_TRUE(fp.ok()) << fp.error().message;
    EXPECT_EQ(fp->size(), 43u);
    EXPECT_EQ(fp->find_first_of("+/="), std::string::npos);

    std::string pem = pem_of_key(key, "note");
    auto back = load_private_key_pem(pem);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*spki_fingerprint(back->get()), *fp);

    std::string in = dir.file("k" + std::to_string(i) + ".pem");
    std::string out = dir.file("fp" + std::to_string(i++));
    write_file(in, pem);
    ASSERT_TRUE(
        run("openssl pkey -in '" + in +
            "' -pubout -outform DER | openssl dgst -sha256 -binary | basenc --base64url > '" + out +
            "'"));
    std::string want = read_file(out);
    while (!want.empty() && (want.back() == '\n' || want.back() == '=')) want.pop_back();
    EXPECT_EQ(*fp, want);
  }
}

// ---- write_file_exclusive ----

TEST(Keys, WriteFileExclusive) {
  TempDir dir;
  std::string path = dir.file("key.pem");
  mode_t old = ::umask(022);
  Status st = write_file_exclusive(path, "first", 0660);
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(read_file(path), "first");
  struct stat sb {};
  ASSERT_EQ(::stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 07777, 0660u);  // exactly the mode, despite umask 022

  st = write_file_exclusive(path, "second", 0600);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUser);
  EXPECT_EQ(read_file(path), "first");

  std::string p2 = dir.file("private");
  ASSERT_TRUE(write_file_exclusive(p2, "", 0600).ok());
  ASSERT_EQ(::stat(p2.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 07777, 0600u);
  EXPECT_EQ(sb.st_size, 0);

  std::string missing = dir.file("no-such-dir/key.pem");
  st = write_file_exclusive(missing, "x", 0600);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kInternal);
}

// ---- certificates ----

std::string x509_text(const std::string& pem, const TempDir& dir, const std::string& name) {
  std::string in = dir.file(name + ".pem");
  std::string out = dir.file(name + ".txt");
  write_file(in, pem);
  EXPECT_TRUE(run("openssl x509 -in '" + in + "' -noout -text -serial > '" + out + "'"));
  return read_file(out);
}

TEST(Cert, SelfSignedRsa) {
  TempDir dir;
  auto pem = self_signed_cert_pem(rsa2048(), "mail.example.org", {"mta-sts.example.org"}, 365);
  ASSERT_TRUE(pem.ok()) << pem.error().message;
  auto cert = load_cert_pem(*pem);
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_EQ(X509_verify(cert->get(), rsa2048()), 1);
  EXPECT_EQ(X509_get_version(cert->get()), X509_VERSION_3);
  EXPECT_EQ(cert_subject_cn(cert->get()), "mail.example.org");
  EXPECT_EQ(X509_check_host(cert->get(), "mta-sts.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert->get(), "other.example.org", 0, 0, nullptr), 0);
  // Valid an hour ago, not after the validity.
  time_t now = std::time(nullptr);
  time_t t = now - 1800;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert->get()), &t), 0);
  t = now + 364 * 86400;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert->get()), &t), 0);
  t = now + 366 * 86400;
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert->get()), &t), 0);

  std::string text = x509_text(*pem, dir, "rsa");
  EXPECT_NE(text.find("Subject: CN = mail.example.org"), std::string::npos) << text;
  EXPECT_NE(text.find("Issuer: CN = mail.example.org"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:mail.example.org, DNS:mta-sts.example.org"), std::string::npos) << text;
  EXPECT_NE(text.find("CA:FALSE"), std::string::npos) << text;
  EXPECT_NE(text.find("Digital Signature, Key Encipherment"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_NE(text.find("sha256WithRSAEncryption"), std::string::npos) << text;
  // openssl prints "serial=<HEX>"; ours is lower case without leading zeros.
  size_t s = text.find("serial=");
  ASSERT_NE(s, std::string::npos);
  std::string hex = text.substr(s + 7, text.find('\n', s) - s - 7);
  while (hex.size() > 1 && hex[0] == '0') hex.erase(0, 1);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(cert_serial_hex(cert->get()), hex);
}

TEST(Cert, SelfSignedEd25519AndEcdsa) {
  TempDir dir;
  int i = 0;
  for (EVP_PKEY* key : {ed25519(), p256()}) {
    SCOPED_TRACE(i);
    auto pem = self_signed_cert_pem(key, "mx.example.com", {"MX.example.com", "*.example.com"}, 30);
    ASSERT_TRUE(pem.ok()) << pem.error().message;
    auto cert = load_cert_pem(*pem);
    ASSERT_TRUE(cert.ok());
    EXPECT_EQ(X509_verify(cert->get(), key), 1);
    EXPECT_NE(X509_verify(cert->get(), rsa2048()), 1);
    std::string text = x509_text(*pem, dir, "c" + std::to_string(i++));
    EXPECT_NE(text.find("Subject: CN = mx.example.com"), std::string::npos) << text;
    // Case-insensitive duplicate left out.
    EXPECT_NE(text.find("DNS:mx.example.com, DNS:*.example.com\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("Key Encipherment"), std::string::npos) << text;
    EXPECT_NE(text.find("Digital Signature"), std::string::npos) << text;
  }
  auto fp =
      cert_spki_fingerprint(load_cert_pem(*self_signed_cert_pem(ed25519(), "a.b", {}, 1))->get());
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(*fp, *spki_fingerprint(ed25519()));
}

TEST(Cert, SelfSignedRejectsBadInput) {
  for (const char* name : {"", "bad host", "a..b", "-x,DNS:evil.example", "host\n", ".a"}) {
    SCOPED_TRACE(name);
    auto pem = self_signed_cert_pem(ed25519(), name, {}, 30);
    ASSERT_FALSE(pem.ok());
    EXPECT_EQ(pem.error().kind, ErrorKind::kUser);
  }
  EXPECT_EQ(self_signed_cert_pem(ed25519(), "ok.example", {"bad,name"}, 30).error().kind,
            ErrorKind::kUser);
  EXPECT_EQ(self_signed_cert_pem(ed25519(), "ok.example", {}, 0).error().kind, ErrorKind::kUser);
}

TEST(Cert, LongHostnameHasNoCn) {
  std::string host = std::string(60, 'a') + ".example.org";
  auto cert = self_signed_cert(ed25519(), host, {}, 30);
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_EQ(cert_subject_cn(cert->get()), "");
  EXPECT_EQ(X509_check_host(cert->get(), host.c_str(), 0, 0, nullptr), 1);
}

TEST(Cert, Minimal) {
  TempDir dir;
  const long serial = 1700000000;  // 0x6553f100
  auto pem = minimal_cert_pem(ed25519(), serial);
  ASSERT_TRUE(pem.ok()) << pem.error().message;
  auto cert = load_cert_pem(*pem);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert->get())), 0);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_issuer_name(cert->get())), 0);
  EXPECT_EQ(X509_get_ext_count(cert->get()), 0);
  EXPECT_EQ(cert_subject_cn(cert->get()), "");
  EXPECT_EQ(cert_serial_hex(cert->get()), "6553f100");
  EXPECT_EQ(X509_verify(cert->get(), ed25519()), 1);
  time_t t = std::time(nullptr) + 99L * 365 * 86400;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert->get()), &t), 0);
  EXPECT_EQ(*cert_spki_fingerprint(cert->get()), *spki_fingerprint(ed25519()));

  std::string text = x509_text(*pem, dir, "minimal");
  EXPECT_NE(text.find("serial=6553F100"), std::string::npos) << text;
  EXPECT_NE(text.find("ED25519"), std::string::npos) << text;

  EXPECT_EQ(minimal_cert_pem(ed25519(), 0).error().kind, ErrorKind::kUser);
  auto rsa = minimal_cert(rsa2048(), 1);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  EXPECT_EQ(cert_serial_hex(rsa->get()), "1");
}

TEST(Cert, LoadPemAndDer) {
  auto a = self_signed_cert_pem(ed25519(), "a.example", {}, 10);
  auto b = self_signed_cert_pem(p256(), "b.example", {}, 10);
  ASSERT_TRUE(a.ok() && b.ok());
  std::string combined = pem_of_key(ed25519(), "key first") + *a + *b;

  auto first = load_cert_pem(combined);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(cert_subject_cn(first->get()), "a.example");
  auto all = load_certs_pem(combined);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(cert_subject_cn((*all)[1].get()), "b.example");

  auto der = cert_der(first->get());
  ASSERT_TRUE(der.ok());
  auto again = load_cert_der(*der);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(X509_cmp(again->get(), first->get()), 0);
  EXPECT_EQ(load_cert_der(*der + "x").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_cert_der("junk").error().kind, ErrorKind::kSyntax);

  EXPECT_EQ(load_cert_pem(pem_of_key(ed25519())).error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_cert_pem("").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(load_certs_pem("nothing").error().kind, ErrorKind::kSyntax);
  EXPECT_EQ(
      load_cert_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").error().kind,
      ErrorKind::kSyntax);
  EXPECT_EQ(openssl_error(), "no openssl error");
}

}  // namespace
}  // namespace mox::crypto
