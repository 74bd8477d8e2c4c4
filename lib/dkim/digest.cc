#include "dkim/digest.h"

#include <openssl/rsa.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "crypto/keys.h"
#include "dkim/canon.h"

namespace mox::dkim {
namespace {

const EVP_MD* md(Hash h) { return h == Hash::kSha1 ? EVP_sha1() : EVP_sha256(); }

// Streams `data` into an EVP digest.
class Hasher {
 public:
  explicit Hasher(Hash h) : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md(h), nullptr) != 1) std::abort();
  }
  void update(std::string_view s) {
    if (!s.empty() && EVP_DigestUpdate(ctx_.get(), s.data(), s.size()) != 1) std::abort();
  }
  std::string final() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out, &n) != 1) std::abort();
    return std::string(reinterpret_cast<char*>(out), n);
  }

 private:
  crypto::MdCtxPtr ctx_;
};

// Reads the file from `offset` in chunks, calling `f` with each.
template <class F>
Status read_chunks(int fd, int64_t offset, F f) {
  std::string buf(64 * 1024, '\0');
  while (true) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return internal_error(std::string("reading message: ") + std::strerror(errno));
    }
    if (n == 0) return {};
    f(std::string_view(buf.data(), static_cast<size_t>(n)));
    offset += n;
  }
}

}  // namespace

Result<HeaderView> read_message_header(const MessageRef& m) {
  HeaderView v;
  if (m.fd < 0) {
    if (m.header) {
      v.header = *m.header;
    } else {
      MOX_ASSIGN(v.header, message::parse_header(m.bytes));
    }
    v.text = m.bytes.substr(0, v.header.size);
    return v;
  }
  if (m.header) {
    // The caller's header covers the prefix too: the file holds the rest.
    if (m.header->size < m.prefix.size()) {
      return internal_error("message header shorter than its prefix");
    }
    v.header = *m.header;
    v.owned.resize(m.header->size - m.prefix.size());
  } else {
    MOX_ASSIGN(v.header, message::read_header(m.fd, 0));
    v.owned.resize(v.header.size);
  }
  size_t got = 0;
  while (got < v.owned.size()) {
    ssize_t n = ::pread(m.fd, v.owned.data() + got, v.owned.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return internal_error("reading message header: short read");
    got += static_cast<size_t>(n);
  }
  if (!m.prefix.empty()) {
    v.owned.insert(0, m.prefix);
    if (!m.header) {
      MOX_ASSIGN(v.header, message::parse_header(v.owned));
    }
  }
  v.text = v.owned;
  return v;
}

Result<std::string> body_hash(const MessageRef& m, size_t body_offset, Hash hash, bool relaxed,
                              std::optional<uint64_t> length) {
  Hasher h(hash);
  BodyCanonicalizer canon(relaxed);
  std::string out;
  uint64_t hashed = 0;
  auto feed = [&](std::string_view canonical) {
    if (length) {
      uint64_t room = *length - hashed;
      if (canonical.size() > room) canonical = canonical.substr(0, room);
    }
    h.update(canonical);
    hashed += canonical.size();
  };
  auto chunk = [&](std::string_view s) {
    out.clear();
    canon.update(s, out);
    feed(out);
  };
  if (m.fd < 0) {
    chunk(m.bytes.substr(std::min(body_offset, m.bytes.size())));
  } else {
    size_t off = body_offset >= m.prefix.size() ? body_offset - m.prefix.size() : 0;
    MOX_TRY(read_chunks(m.fd, static_cast<int64_t>(off), chunk));
  }
  out.clear();
  canon.finish(out);
  feed(out);
  if (length && hashed < *length) {
    return Error{ErrorKind::kPermanent, "body is shorter than l=" + std::to_string(*length)};
  }
  return h.final();
}

std::string signed_header_data(const HeaderView& h, const std::vector<std::string>& names,
                               bool relaxed, std::string_view sig_field) {
  std::string data;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // §5.4.2: fields of one name are taken from the bottom up.
  std::map<std::string, std::vector<const message::HeaderField*>> bottom_up;
  for (auto it = h.header.fields.rbegin(); it != h.header.fields.rend(); ++it) {
    bottom_up[lower(it->name)].push_back(&*it);
  }
  std::map<std::string, size_t> used;  // lower-case name → instances taken
  for (const std::string& name : names) {
    std::string key = lower(name);
    size_t n = used[key]++;
    auto it = bottom_up.find(key);
    if (it == bottom_up.end() || n >= it->second.size()) continue;  // absent: nothing (§5.4)
    const message::HeaderField* field = it->second[n];
    if (relaxed) {
      data += relaxed_header(field->name, field->raw_value) + "\r\n";
    } else {
      data += simple_header(h.text.substr(field->offset, field->length));
    }
  }
  if (relaxed) {
    size_t colon = sig_field.find(':');
    std::string_view name = sig_field.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : sig_field.substr(colon + 1);
    data += relaxed_header(name, value);
  } else {
    data += sig_field;
  }
  return data;
}

std::string digest(Hash hash, std::string_view data) {
  Hasher h(hash);
  h.update(data);
  return h.final();
}

Result<std::string> sign_digest(EVP_PKEY* key, Hash hash, std::string_view dgst) {
  const auto* d = reinterpret_cast<const unsigned char*>(dgst.data());
  std::string sig;
  size_t len = 0;
  if (crypto::key_type(key) == crypto::KeyType::kEd25519) {
    crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, d, dgst.size()) != 1) {
      return crypto::openssl_internal_error("ed25519 sign");
    }
    sig.resize(len);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, d,
                       dgst.size()) != 1) {
      return crypto::openssl_internal_error("ed25519 sign");
    }
  } else {
    crypto::PKeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), md(hash)) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, d, dgst.size()) != 1) {
      return crypto::openssl_internal_error("rsa sign");
    }
    sig.resize(len);
    if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, d,
                      dgst.size()) != 1) {
      return crypto::openssl_internal_error("rsa sign");
    }
  }
  sig.resize(len);
  return sig;
}

Result<bool> verify_digest(EVP_PKEY* key, Hash hash, std::string_view dgst,
                           std::string_view signature) {
  const auto* d = reinterpret_cast<const unsigned char*>(dgst.data());
  const auto* s = reinterpret_cast<const unsigned char*>(signature.data());
  int rc;
  if (crypto::key_type(key) == crypto::KeyType::kEd25519) {
    crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
      return crypto::openssl_internal_error("ed25519 verify");
    }
    rc = EVP_DigestVerify(ctx.get(), s, signature.size(), d, dgst.size());
  } else {
    crypto::PKeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), md(hash)) != 1) {
      return crypto::openssl_internal_error("rsa verify");
    }
    rc = EVP_PKEY_verify(ctx.get(), s, signature.size(), d, dgst.size());
  }
  crypto::openssl_error();  // drain what a failed verification queued
  return rc == 1;
}

}  // namespace mox::dkim
