#include "sasl/secrets.h"

#include "util/utf8.h"

// OpenSSL 3 deprecates the low-level MD5 API, but it is the only way to read
// and resume MD5's intermediate state, which the stored CRAM-MD5 secret is.
// Only this file uses it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sasl/scram_core.h"
#include "util/encoding.h"

namespace mox::sasl {
namespace {

// A library failure we cannot continue from (allocation, missing algorithm,
// no entropy): a broken invariant, never caused by peer input.
[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "mox: fatal: %s\n", what);
  std::abort();
}

void init_sodium() {
  if (sodium_init() < 0) fatal("sodium_init failed");
}

std::string random_bytes(size_t n) {
  init_sodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

void wipe(std::string& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

// ---- UTF-8 and PRECIS -------------------------------------------------------

// Decodes the code point starting at s[i] and advances i past it; nullopt if
// the sequence is ill-formed (RFC 3629 §3, §4: overlong forms, surrogates and
// values above U+10FFFF are invalid).
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;  // continuation byte or 0xF8..0xFF as lead byte
  }
  if (s.size() - i < len) return std::nullopt;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

// RFC 8264 §9.12 "Controls": Cc (C0, DEL, C1) is disallowed in every class.
bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// RFC 8265 §4.2.1: non-ASCII space characters (Unicode Zs other than U+0020)
// are mapped to U+0020.
bool is_non_ascii_space(char32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// ---- CRAM-MD5 ---------------------------------------------------------------

constexpr size_t kMd5BlockSize = 64;
constexpr size_t kMd5StateSize = 16;
constexpr size_t kMd5DigestSize = 16;
constexpr unsigned char kIpad = 0x36;  // RFC 2104 §2
constexpr unsigned char kOpad = 0x5c;

void put_le32(std::string& out, MD5_LONG v) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((v >> shift) & 0xFF);
}

MD5_LONG get_le32(std::string_view s, size_t at) {
  MD5_LONG v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

// MD5 state (A, B, C, D) after absorbing exactly one 64-byte block.
std::string md5_state_after_block(const std::array<unsigned char, kMd5BlockSize>& block) {
  MD5_CTX ctx;
  if (MD5_Init(&ctx) != 1 || MD5_Update(&ctx, block.data(), block.size()) != 1) {
    fatal("MD5 failed");
  }
  std::string state;
  for (MD5_LONG word : {ctx.A, ctx.B, ctx.C, ctx.D}) put_le32(state, word);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return state;
}

// MD5 of (the 64-byte block that produced state) || data, without the block.
// Precondition: state.size() == kMd5StateSize.
std::array<unsigned char, kMd5DigestSize> md5_resume(std::string_view state,
                                                     std::string_view data) {
  MD5_CTX ctx;
  if (MD5_Init(&ctx) != 1) fatal("MD5 failed");
  ctx.A = get_le32(state, 0);
  ctx.B = get_le32(state, 4);
  ctx.C = get_le32(state, 8);
  ctx.D = get_le32(state, 12);
  ctx.Nl = kMd5BlockSize * 8;  // bits absorbed so far
  ctx.Nh = 0;
  ctx.num = 0;  // nothing buffered
  std::array<unsigned char, kMd5DigestSize> digest{};
  if (MD5_Update(&ctx, data.data(), data.size()) != 1 || MD5_Final(digest.data(), &ctx) != 1) {
    fatal("MD5 failed");
  }
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return digest;
}

std::string_view as_view(const std::array<unsigned char, kMd5DigestSize>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

}  // namespace

Result<std::string> prepare_password(std::string_view password) {
  // RFC 8265 §4.2.2 / RFC 8264 §7: the result must not be empty.
  if (password.empty()) return user_error("password must not be empty");
  std::string out;
  out.reserve(password.size());
  for (size_t i = 0; i < password.size();) {
    const size_t start = i;
    const std::optional<char32_t> cp = next_code_point(password, i);
    if (!cp) return syntax_error("password is not valid UTF-8");
    if (is_control(*cp)) return user_error("password must not contain control characters");
    if (is_non_ascii_space(*cp)) {
      out += ' ';
    } else {
      out.append(password.substr(start, i - start));
    }
  }
  return out;
}

Result<std::string> normalize_password(std::string_view password) {
  MOX_ASSIGN(std::string out, prepare_password(password));
  if (out.size() < static_cast<size_t>(kMinPasswordLength)) {
    wipe(out);
    return user_error("password must be at least 8 characters");
  }
  return out;
}

Result<PasswordSecrets> derive_secrets(std::string_view password) {
  MOX_ASSIGN(std::string pw, normalize_password(password));
  PasswordSecrets s;
  s.scram_sha1 = scram_derive(ScramHash::kSha1, pw, random_bytes(kSaltSize), kScramSha1Iterations);
  s.scram_sha256 =
      scram_derive(ScramHash::kSha256, pw, random_bytes(kSaltSize), kScramSha256Iterations);
  s.cram_md5 = cram_md5_derive(pw);
  wipe(pw);
  return s;
}

bool scram_secret_usable(ScramHash h, const ScramSecret& secret) {
  const size_t n = scram_digest_size(h);
  return !secret.salt.empty() && secret.iterations >= 1 && secret.stored_key.size() == n &&
         secret.server_key.size() == n;
}

bool verify_plain(const ScramSecret& secret, ScramHash h, std::string_view password) {
  if (!scram_secret_usable(h, secret)) return false;
  Result<std::string> pw = prepare_password(password);
  if (!pw.ok()) return false;
  ScramSecret computed = scram_derive(h, *pw, secret.salt, secret.iterations);
  wipe(*pw);
  return sodium_memcmp(computed.stored_key.data(), secret.stored_key.data(),
                       secret.stored_key.size()) == 0;
}

CramMd5Secret cram_md5_derive(std::string_view password) {
  // RFC 2104 §2: keys longer than B=64 bytes are replaced by H(key); the key
  // is then zero-padded to B bytes.
  std::array<unsigned char, kMd5BlockSize> key{};
  if (password.size() > kMd5BlockSize) {
    if (EVP_Digest(password.data(), password.size(), key.data(), nullptr, EVP_md5(), nullptr) !=
        1) {
      fatal("MD5 failed");
    }
  } else {
    std::memcpy(key.data(), password.data(), password.size());
  }
  std::array<unsigned char, kMd5BlockSize> pad{};
  CramMd5Secret s;
  for (size_t i = 0; i < pad.size(); ++i) pad[i] = key[i] ^ kIpad;
  s.ipad_state = md5_state_after_block(pad);
  for (size_t i = 0; i < pad.size(); ++i) pad[i] = key[i] ^ kOpad;
  s.opad_state = md5_state_after_block(pad);
  sodium_memzero(key.data(), key.size());
  sodium_memzero(pad.data(), pad.size());
  return s;
}

const ScramSecret& scram_secret_for(const PasswordSecrets& s, ScramHash h) {
  return h == ScramHash::kSha1 ? s.scram_sha1 : s.scram_sha256;
}

std::string cram_md5_digest_hex(const CramMd5Secret& s, std::string_view challenge) {
  if (s.ipad_state.size() != kMd5StateSize || s.opad_state.size() != kMd5StateSize) return {};
  // HMAC = H(K^opad || H(K^ipad || text)) (RFC 2104 §2), resuming after the pads.
  const auto inner = md5_resume(s.ipad_state, challenge);
  const auto outer = md5_resume(s.opad_state, as_view(inner));
  return hex_encode(as_view(outer));
}

bool cram_md5_secret_usable(const CramMd5Secret& s) {
  return s.ipad_state.size() == kMd5StateSize && s.opad_state.size() == kMd5StateSize;
}

bool verify_cram_md5(const CramMd5Secret& s, std::string_view challenge,
                     std::string_view response_hex) {
  const std::string expected = cram_md5_digest_hex(s, challenge);
  if (expected.empty() || response_hex.size() != expected.size()) return false;
  // RFC 2195 §2 does not fix the case of the hex digits; accept both.
  std::string got(response_hex);
  for (char& c : got) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return sodium_memcmp(expected.data(), got.data(), expected.size()) == 0;
}

std::optional<char> password_char_from_byte(unsigned char b) {
  // docs/DESIGN.md "Differences from mox": accept only b < floor(256/N)*N, so
  // that every character is equally likely (mox's bound was slightly off).
  if (b >= rejection_bound(kPasswordAlphabet.size())) return std::nullopt;
  return kPasswordAlphabet[b % kPasswordAlphabet.size()];
}

std::string generate_password() {
  init_sodium();
  std::string out;
  std::array<unsigned char, 32> buf{};
  while (out.size() < kGeneratedPasswordLength) {
    randombytes_buf(buf.data(), buf.size());
    for (unsigned char b : buf) {
      if (out.size() == kGeneratedPasswordLength) break;
      if (std::optional<char> c = password_char_from_byte(b)) out += *c;
    }
  }
  sodium_memzero(buf.data(), buf.size());
  return out;
}

}  // namespace mox::sasl
