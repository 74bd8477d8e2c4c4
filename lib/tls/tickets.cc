#include "tls/tickets.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "crypto/keys.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace mox::tls {
namespace {

template <size_t N>
bool parse_hex(std::string_view s, std::array<unsigned char, N>* out) {
  if (s.size() != 2 * N) return false;
  for (size_t i = 0; i < N; i++) {
    int b = hex_byte(s, 2 * i);
    if (b < 0) return false;
    (*out)[i] = static_cast<unsigned char>(b);
  }
  return true;
}

template <size_t N>
std::string hex(const std::array<unsigned char, N>& a) {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(a.data()), N));
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') i++;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') i++;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Reads the key file: empty if it does not exist.
Result<std::vector<TicketKey>> read_keys(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<TicketKey>{};
    return internal_error("open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  bool open_to_others = ::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
  ::close(fd);
  if (open_to_others) {
    return user_error("ticket key file " + path + " must be mode 0600 (secret keys)");
  }
  MOX_ASSIGN(std::string text, read_file(path));
  auto keys = parse_ticket_keys(text, path);
  OPENSSL_cleanse(text.data(), text.size());
  return keys;
}

Result<TicketKey> new_key(int64_t now) {
  TicketKey k;
  k.created = now;
  if (RAND_bytes(k.name.data(), k.name.size()) != 1 ||
      RAND_bytes(k.aes.data(), k.aes.size()) != 1 ||
      RAND_bytes(k.hmac.data(), k.hmac.size()) != 1) {
    return crypto::openssl_internal_error("ticket key");
  }
  return k;
}

bool due(const TicketKey& k, int64_t now) { return now - k.created >= TicketKeys::kRotateSeconds; }

}  // namespace

Result<std::vector<TicketKey>> parse_ticket_keys(std::string_view text, const std::string& path) {
  std::vector<TicketKey> keys;
  int lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    lineno++;
    if (line.empty() || line[0] == '#') continue;
    auto f = fields(line);
    TicketKey k;
    auto [p, ec] = f.size() == 4
                       ? std::from_chars(f[0].data(), f[0].data() + f[0].size(), k.created)
                       : std::from_chars_result{nullptr, std::errc::invalid_argument};
    if (ec != std::errc() || p != f[0].data() + f[0].size() || !parse_hex(f[1], &k.name) ||
        !parse_hex(f[2], &k.aes) || !parse_hex(f[3], &k.hmac)) {
      return syntax_error(path + ":" + std::to_string(lineno) + ": malformed ticket key line");
    }
    keys.push_back(k);
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const TicketKey& a, const TicketKey& b) { return a.created > b.created; });
  return keys;
}

std::string format_ticket_keys(const std::vector<TicketKey>& keys) {
  std::string out =
      "# mox TLS session ticket keys, newest first: created name aes-256 hmac-sha256\n";
  for (const auto& k : keys) {
    out +=
        std::to_string(k.created) + " " + hex(k.name) + " " + hex(k.aes) + " " + hex(k.hmac) + "\n";
  }
  return out;
}

Result<std::shared_ptr<TicketKeys>> TicketKeys::open(const std::string& path,
                                                     std::function<int64_t()> now) {
  std::shared_ptr<TicketKeys> t(new TicketKeys(path, std::move(now)));
  MutexLock lock(t->mu_);
  MOX_TRY(t->refresh_locked(true));
  return t;
}

TicketKeys::~TicketKeys() { OPENSSL_cleanse(keys_.data(), keys_.size() * sizeof(TicketKey)); }

Status TicketKeys::refresh_locked(bool force) {
  int64_t now = now_();
  if (!force && !keys_.empty() && now - checked_ < kRecheckSeconds && !due(keys_[0], now)) {
    return {};
  }
  MOX_ASSIGN(std::vector<TicketKey> keys, read_keys(path_));
  if (keys.empty() || due(keys[0], now)) {
    // Rotate under the lock, after reading again: another process may
    // have rotated meanwhile, and all must agree on the newest key.
    MOX_ASSIGN(FileLock lock, FileLock::acquire(path_ + ".lock", FileLock::Mode::kExclusive, true));
    MOX_ASSIGN(keys, read_keys(path_));
    if (keys.empty() || due(keys[0], now)) {
      MOX_ASSIGN(TicketKey k, new_key(now));
      keys.insert(keys.begin(), k);
      if (keys.size() > 1 + kOldKeys) keys.resize(1 + kOldKeys);
      std::string text = format_ticket_keys(keys);
      Status st = write_file_atomic(path_, text, 0600);
      OPENSSL_cleanse(text.data(), text.size());
      MOX_TRY(st);
    }
  }
  OPENSSL_cleanse(keys_.data(), keys_.size() * sizeof(TicketKey));
  keys_ = std::move(keys);
  checked_ = now;
  return {};
}

Result<TicketKey> TicketKeys::encryption_key() {
  MutexLock lock(mu_);
  MOX_TRY(refresh_locked(false));
  return keys_.front();
}

std::optional<TicketKey> TicketKeys::decryption_key(const unsigned char name[16], bool* newest) {
  MutexLock lock(mu_);
  (void)refresh_locked(false);  // on failure, the keys we have still decrypt
  for (size_t i = 0; i < keys_.size(); i++) {
    if (CRYPTO_memcmp(keys_[i].name.data(), name, 16) == 0) {
      *newest = i == 0;
      return keys_[i];
    }
  }
  return std::nullopt;
}

std::vector<TicketKey> TicketKeys::keys() {
  MutexLock lock(mu_);
  return keys_;
}

namespace {

void free_keys(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::shared_ptr<TicketKeys>*>(ptr);
}

int ticket_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_keys);
  return index;
}

bool set_hmac_key(EVP_MAC_CTX* hctx, const std::array<unsigned char, 32>& key) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.data()),
                                        key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  return EVP_MAC_CTX_set_params(hctx, params) == 1;
}

// SSL_CTX_set_tlsext_ticket_key_evp_cb(3): 1 ok, 2 ok but issue a new
// ticket, 0 no ticket / unknown key (full handshake), -1 fatal.
int ticket_callback(SSL* ssl, unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cctx,
                    EVP_MAC_CTX* hctx, int enc) {
  auto* keys = static_cast<std::shared_ptr<TicketKeys>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_index()));
  if (keys == nullptr) return -1;
  const EVP_CIPHER* aes = EVP_aes_256_cbc();
  if (enc == 1) {
    auto k = (*keys)->encryption_key();
    if (!k.ok()) return 0;
    std::memcpy(key_name, k->name.data(), 16);
    bool ok = RAND_bytes(iv, EVP_CIPHER_get_iv_length(aes)) == 1 &&
              EVP_EncryptInit_ex(cctx, aes, nullptr, k->aes.data(), iv) == 1 &&
              set_hmac_key(hctx, k->hmac);
    OPENSSL_cleanse(&k.value(), sizeof(TicketKey));
    return ok ? 1 : -1;
  }
  bool newest = false;
  auto k = (*keys)->decryption_key(key_name, &newest);
  if (!k) return 0;
  bool ok =
      set_hmac_key(hctx, k->hmac) && EVP_DecryptInit_ex(cctx, aes, nullptr, k->aes.data(), iv) == 1;
  OPENSSL_cleanse(&*k, sizeof(TicketKey));
  if (!ok) return -1;
  return newest ? 1 : 2;
}

}  // namespace

Status use_ticket_keys(SSL_CTX* ctx, std::shared_ptr<TicketKeys> keys) {
  int index = ticket_index();
  if (index < 0) return crypto::openssl_internal_error("SSL_CTX_get_ex_new_index");
  auto* old = static_cast<std::shared_ptr<TicketKeys>*>(SSL_CTX_get_ex_data(ctx, index));
  auto* holder = new std::shared_ptr<TicketKeys>(std::move(keys));
  if (SSL_CTX_set_ex_data(ctx, index, holder) != 1) {
    delete holder;
    return crypto::openssl_internal_error("SSL_CTX_set_ex_data");
  }
  delete old;
  SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
  if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_callback) != 1) {
    return crypto::openssl_internal_error("ticket key callback");
  }
  SSL_CTX_set_timeout(ctx, 7L * 24 * 3600);  // RFC 8446 §4.6.1: at most 7 days
  return {};
}

}  // namespace mox::tls
