// Password rules and the secrets derived from a password.
//
// An account never stores its password. Setting a password stores, per
// mechanism, only what the server needs to verify a login:
//   - SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677): salt, iteration
//     count, StoredKey and ServerKey. PLAIN and LOGIN are checked against the
//     SCRAM-SHA-256 secret by recomputing StoredKey from the presented password.
//   - CRAM-MD5 (RFC 2195): the two MD5 states after absorbing the HMAC inner and
//     outer pads, which is enough to compute HMAC-MD5(password, challenge).
//     (The CRAM-MD5 secret is password-equivalent for CRAM-MD5 itself; that is
//     inherent to the mechanism, as in mox.)
//
// Thread-safety: every function here is safe to call concurrently; none keeps
// state. Functions that need randomness call sodium_init() themselves.
// Nothing here logs; callers must not log passwords or secrets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/utf8.h"

namespace mox::sasl {

using mox::valid_utf8;

enum class ScramHash { kSha1, kSha256 };

// What is stored for SCRAM, never the password (RFC 5802 §3, §5.1).
struct ScramSecret {
  std::string salt;        // raw bytes (kSaltSize random bytes)
  int iterations = 0;      // kScramSha1Iterations / kScramSha256Iterations
  std::string stored_key;  // raw H(ClientKey)
  std::string server_key;  // raw HMAC(SaltedPassword, "Server Key")
};

// MD5 internal states (A, B, C, D as four little-endian 32-bit words, 16 bytes)
// after absorbing the 64-byte block key^ipad, respectively key^opad (RFC 2104).
struct CramMd5Secret {
  std::string ipad_state, opad_state;
};

struct PasswordSecrets {
  ScramSecret scram_sha1, scram_sha256;
  CramMd5Secret cram_md5;
};

constexpr int kMinPasswordLength = 8;  // bytes, after normalisation (as mox)
constexpr size_t kSaltSize = 16;
constexpr int kScramSha1Iterations = 8192;    // as mox
constexpr int kScramSha256Iterations = 4096;  // as mox; RFC 7677 §4 minimum

// The PRECIS OpaqueString profile (RFC 8265 §4.2) as far as it goes without
// Unicode tables: s must be non-empty, valid UTF-8 without control characters
// (RFC 8264 §9.12: C0, DEL, C1 are disallowed); non-ASCII spaces are mapped to
// U+0020 (RFC 8265 §4.2.1 "additional mapping"). Not done: NFC normalisation
// and the other disallowed classes, which need ICU.
// Errors: kSyntax for invalid UTF-8, kUser otherwise. No length rule: use this
// to prepare a password presented at login.
Result<std::string> prepare_password(std::string_view password);

// prepare_password() plus the rule for setting a password: at least
// kMinPasswordLength bytes, else user_error("password must be at least 8
// characters"). Idempotent.
Result<std::string> normalize_password(std::string_view password);

// All secrets for a password, with fresh random salts. The password is
// normalised first (normalize_password), so its errors are returned here.
Result<PasswordSecrets> derive_secrets(std::string_view password);

// SCRAM secret for an already normalised password (RFC 5802 §3):
//   SaltedPassword = Hi(password, salt, iterations); ClientKey =
//   HMAC(SaltedPassword, "Client Key"); StoredKey = H(ClientKey); ServerKey =
//   HMAC(SaltedPassword, "Server Key").
// Precondition: iterations >= 1 (aborts otherwise). Defined in scram_core.cc.
ScramSecret scram_derive(ScramHash h, std::string_view password, std::string_view salt,
                         int iterations);

// Hi() of RFC 5802 §2.2, which is PBKDF2 (RFC 8018 §5.2) with HMAC-H and an
// output of one hash length. Raw bytes. Precondition: iterations >= 1.
// A client computing this from a server's i= must validate it first.
// Defined in scram_core.cc.
std::string scram_salted_password(ScramHash h, std::string_view password, std::string_view salt,
                                  int iterations);

// True if the secret can be used for hash h: a salt, iterations >= 1, and keys
// of the hash's length. An account without a usable secret cannot use SCRAM
// (SMTP "454 4.3.0 scram not possible", mox-smtpd(8) "Authentication").
bool scram_secret_usable(ScramHash h, const ScramSecret& secret);

// The SCRAM secret of `s` for hash h.
const ScramSecret& scram_secret_for(const PasswordSecrets& s, ScramHash h);

// PLAIN and LOGIN: prepares the password (prepare_password), recomputes
// StoredKey with the secret's salt and iteration count and compares it in
// constant time. False for a wrong or unpreparable password and for an unusable
// secret. Costs one PBKDF2 run.
bool verify_plain(const ScramSecret& secret, ScramHash h, std::string_view password);

// CRAM-MD5 secret for an already normalised password. Keys longer than 64
// bytes are first replaced by their MD5 hash (RFC 2104 §2).
CramMd5Secret cram_md5_derive(std::string_view password);

// RFC 2195 §2: the response digest, lower-case hex of HMAC-MD5(password,
// challenge), computed from the stored states. Empty if the secret is malformed
// (states not 16 bytes).
std::string cram_md5_digest_hex(const CramMd5Secret& s, std::string_view challenge);

// True if the secret holds the 16-byte MD5 states CRAM-MD5 needs.
bool cram_md5_secret_usable(const CramMd5Secret& s);

// Compares response_hex (32 hex digits, either case) with the expected digest
// in constant time. False for a malformed secret or response.
bool verify_cram_md5(const CramMd5Secret& s, std::string_view challenge,
                     std::string_view response_hex);

// Password generator (docs/DESIGN.md "Differences from mox"): lower, upper,
// digits and 17 punctuation characters; per-byte rejection sampling without
// modulo bias.
constexpr std::string_view kPasswordAlphabet =
    "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789"
    "!@#$%^&*-_;:,<.>/";
constexpr size_t kGeneratedPasswordLength = 12;

// Largest multiple of n not above 256: a random byte b is uniform over
// [0, bound), so b % n is uniform over [0, n) when b < bound. Precondition:
// 1 <= n <= 256.
constexpr unsigned rejection_bound(size_t n) { return static_cast<unsigned>(256 / n * n); }

// The alphabet character for a random byte, or nullopt if the byte must be
// rejected (b >= rejection_bound(kPasswordAlphabet.size())).
std::optional<char> password_char_from_byte(unsigned char b);

// A new random password of kGeneratedPasswordLength characters from
// kPasswordAlphabet. Uses libsodium's CSPRNG; aborts if libsodium cannot be
// initialised (no entropy source).
std::string generate_password();

}  // namespace mox::sasl
