#include "crypto/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/encoding.h"

namespace mox::crypto {

void OpenSslFree::operator()(void* p) const { OPENSSL_free(p); }

std::string openssl_error() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out.empty() ? "no openssl error" : out;
}

Error openssl_internal_error(std::string_view what) {
  return internal_error(std::string(what) + ": " + openssl_error());
}

std::string bio_to_string(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || p == nullptr) return {};
  return std::string(p, static_cast<size_t>(n));
}

namespace {

Result<PKeyPtr> keygen_result(EVP_PKEY* k, std::string_view what) {
  if (k == nullptr) return openssl_internal_error(what);
  return PKeyPtr(k);
}

// Owns the three buffers PEM_read_bio_ex allocates with PEM_FLAG_SECURE and
// wipes the (possibly secret) DER on destruction.
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    if (data != nullptr) OPENSSL_secure_clear_free(data, static_cast<size_t>(len));
  }
};

enum class PemRead { kBlock, kEnd, kMalformed };

PemRead read_pem_block(BIO* bio, PemBlock* b) {
  if (PEM_read_bio_ex(bio, &b->name, &b->header, &b->data, &b->len,
                      PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) == 1) {
    return PemRead::kBlock;
  }
  unsigned long e = ERR_peek_last_error();
  if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return PemRead::kEnd;
  }
  return PemRead::kMalformed;
}

// Decodes the DER of a private key block. Sets *is_key to false (and the
// result is meaningless) if the block holds something else, e.g. a CERTIFICATE.
Result<PKeyPtr> decode_key_block(const PemBlock& b, bool* is_key) {
  std::string_view name = b.name;
  std::string_view header = b.header != nullptr ? b.header : "";
  *is_key = true;
  if (name == "ENCRYPTED PRIVATE KEY" || header.find("ENCRYPTED") != std::string_view::npos) {
    return user_error("encrypted private keys are not supported");
  }
  const unsigned char* p = b.data;
  EVP_PKEY* k = nullptr;
  if (name == "PRIVATE KEY") {
    PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, b.len);
    if (info != nullptr) {
      k = EVP_PKCS82PKEY(info);
      PKCS8_PRIV_KEY_INFO_free(info);
    }
  } else if (name == "RSA PRIVATE KEY") {
    k = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, b.len);
  } else if (name == "EC PRIVATE KEY") {
    k = d2i_PrivateKey(EVP_PKEY_EC, nullptr, &p, b.len);
  } else {
    *is_key = false;
    return internal_error("not a key block");
  }
  PKeyPtr key(k);
  if (!key) return syntax_error("invalid " + std::string(name) + ": " + openssl_error());
  if (p != b.data + b.len) return syntax_error("trailing data after " + std::string(name));
  return key;
}

bool is_ed25519(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

}  // namespace

Result<PKeyPtr> generate_rsa(int bits) {
  if (bits < 1024 || bits > 16384) {
    return user_error("rsa key size must be between 1024 and 16384 bits, got " +
                      std::to_string(bits));
  }
  return keygen_result(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)),
                       "generating rsa key");
}

Result<PKeyPtr> generate_ed25519() {
  return keygen_result(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "generating ed25519 key");
}

Result<PKeyPtr> generate_ecdsa(const std::string& curve) {
  int nid = EC_curve_nist2nid(curve.c_str());
  if (nid == NID_undef) nid = OBJ_sn2nid(curve.c_str());
  if (nid == NID_undef) nid = OBJ_ln2nid(curve.c_str());
  if (nid == NID_undef) return user_error("unknown elliptic curve: " + curve);
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", OBJ_nid2sn(nid));
  if (k == nullptr) {
    return user_error("cannot generate key on curve " + curve + ": " + openssl_error());
  }
  return PKeyPtr(k);
}

Result<PKeyPtr> ed25519_from_seed(std::string_view seed) {
  if (seed.size() != 32) return syntax_error("ed25519 seed must be 32 bytes");
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  return keygen_result(k, "loading ed25519 seed");
}

Result<std::string> ed25519_seed(EVP_PKEY* key) {
  if (!is_ed25519(key)) return user_error("not an ed25519 key");
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != 32) {
    return user_error("not an ed25519 private key: " + openssl_error());
  }
  return out;
}

Result<std::string> ed25519_public_raw(EVP_PKEY* key) {
  if (!is_ed25519(key)) return user_error("not an ed25519 key");
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != 32) {
    return openssl_internal_error("getting ed25519 public key");
  }
  return out;
}

Result<std::string> private_key_pkcs8_pem(EVP_PKEY* key, std::string_view note) {
  if (note.size() > 200) return user_error("pem note too long");
  for (unsigned char c : note) {
    if (c < 0x20 || c == 0x7f) return user_error("pem note contains a control character");
  }
  // Secure-heap BIO so the intermediate copy of the key is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return openssl_internal_error("allocating bio");
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_internal_error("writing pkcs8 private key");
  }
  std::string out;
  if (!note.empty()) {
    // RFC 7468 §5.2: text outside the encapsulation boundaries is permitted
    // and ignored by parsers (OpenSSL, Go's encoding/pem).
    out += "Note: ";
    out += note;
    out += "\n";
  }
  out += bio_to_string(bio.get());
  return out;
}

Result<PKeyPtr> load_private_key_pem(std::string_view pem) {
  if (pem.size() > INT_MAX) return syntax_error("pem too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return openssl_internal_error("allocating bio");
  for (;;) {
    PemBlock block;
    switch (read_pem_block(bio.get(), &block)) {
      case PemRead::kEnd:
        return syntax_error("no private key found in pem data");
      case PemRead::kMalformed:
        return syntax_error("malformed pem: " + openssl_error());
      case PemRead::kBlock:
        break;
    }
    bool is_key = false;
    auto key = decode_key_block(block, &is_key);
    if (is_key) return key;
  }
}

Result<std::string> public_key_spki_der(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(key, &buf);
  if (n <= 0) return openssl_internal_error("encoding subject public key info");
  OpenSslPtr<unsigned char> owned(buf);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

Result<PKeyPtr> load_public_key_spki_der(std::string_view der) {
  if (der.size() > LONG_MAX) return syntax_error("public key too large");
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  PKeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return syntax_error("invalid subject public key info: " + openssl_error());
  if (p != start + der.size()) return syntax_error("trailing data after subject public key info");
  return key;
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) {
  int r = EVP_PKEY_eq(a, b);
  ERR_clear_error();  // -2 (unsupported) leaves errors behind
  return r == 1;
}

KeyType key_type(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) return KeyType::kRsa;
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) return KeyType::kEcdsa;
  return KeyType::kOther;
}

int key_bits(EVP_PKEY* key) { return EVP_PKEY_get_bits(key); }

Result<std::string> tls_pubkey_type(EVP_PKEY* key) {
  switch (key_type(key)) {
    case KeyType::kRsa: {
      int bits = key_bits(key);
      // mox-tlspubkey(8): RSA keys smaller than 2048 bits are rejected.
      if (bits < 2048) {
        return user_error("rsa keys smaller than 2048 bits not accepted, got " +
                          std::to_string(bits));
      }
      return "rsa-" + std::to_string(bits);
    }
    case KeyType::kEd25519:
      return std::string("ed25519");
    case KeyType::kEcdsa: {
      char name[80] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) {
        ERR_clear_error();
        return user_error("ecdsa key without a named curve not accepted");
      }
      int nid = EC_curve_nist2nid(name);
      if (nid == NID_undef) nid = OBJ_sn2nid(name);
      switch (nid) {
        case NID_X9_62_prime256v1:
          return std::string("ecdsa-p256");
        case NID_secp384r1:
          return std::string("ecdsa-p384");
        case NID_secp521r1:
          return std::string("ecdsa-p521");
        default:
          return user_error(std::string("ecdsa curve not accepted: ") + name);
      }
    }
    case KeyType::kOther:
      break;
  }
  const char* t = EVP_PKEY_get0_type_name(key);
  return user_error(std::string("public key type not accepted: ") + (t != nullptr ? t : "?"));
}

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1 || len != 32) {
    // Not input dependent: the library cannot compute SHA-256 at all.
    std::fprintf(stderr, "mox: sha256 failed: %s\n", openssl_error().c_str());
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

Result<std::string> spki_fingerprint(EVP_PKEY* key) {
  MOX_ASSIGN(std::string der, public_key_spki_der(key));
  return base64url_encode(sha256(der));
}

namespace {

Error errno_error(std::string_view what, const std::string& path, int err) {
  return internal_error(std::string(what) + " " + path + ": " + std::strerror(err));
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_error("writing", path, n < 0 ? errno : EIO);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status fsync_dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("opening directory", dir, errno);
  int r = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (r != 0) return errno_error("syncing directory", dir, err);
  return {};
}

// Writes, sets the mode, syncs and closes the new file `fd`.
Status fill_new_file(int fd, const std::string& path, std::string_view data, mode_t mode) {
  Status st;
  if (::fchmod(fd, mode) != 0) {
    st = errno_error("setting mode of", path, errno);
  } else {
    st = write_all(fd, data, path);
    if (st.ok() && ::fsync(fd) != 0) st = errno_error("syncing", path, errno);
  }
  if (::close(fd) != 0 && st.ok()) st = errno_error("closing", path, errno);
  return st;
}

}  // namespace

Status write_file_exclusive(const std::string& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return user_error("file already exists: " + path);
    return errno_error("creating", path, errno);
  }
  Status st = fill_new_file(fd, path, data, mode);
  if (st.ok()) st = fsync_dir_of(path);
  if (!st.ok()) ::unlink(path.c_str());  // we created it: leave nothing half-done
  return st;
}

}  // namespace mox::crypto
