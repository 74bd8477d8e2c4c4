#include "sasl/scram_core.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "util/encoding.h"

namespace mox::sasl {
namespace {

// Longest client message we parse. RFC 5802 sets no limit; real messages are
// a username, a nonce and a proof, well under 1 KB.
constexpr size_t kMaxMessageSize = 4096;
constexpr size_t kServerNonceBytes = 18;                          // 24 base64 characters
constexpr std::string_view kChannelBindingType = "tls-exporter";  // RFC 9266

// A library failure we cannot continue from (allocation, missing algorithm):
// a broken invariant, never caused by peer input.
[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "mox: fatal: %s\n", what);
  std::abort();
}

const EVP_MD* evp_md(ScramHash h) { return h == ScramHash::kSha1 ? EVP_sha1() : EVP_sha256(); }

// OpenSSL takes lengths as int; our inputs are far smaller.
int checked_int(size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) fatal("scram: input too large");
  return static_cast<int>(n);
}

// A non-null pointer even for an empty view: OpenSSL treats NULL keys specially.
const unsigned char* bytes(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

std::string random_nonce() {
  if (sodium_init() < 0) fatal("sodium_init failed");
  std::string raw(kServerNonceBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return base64_encode(raw);
}

// ---- RFC 5802 §7 grammar ----------------------------------------------------

std::vector<std::string_view> split_commas(std::string_view s) { return scram_fields(s); }
std::optional<std::string_view> attribute(std::string_view f, char n) {
  return scram_attribute(f, n);
}

// saslname = 1*(value-safe-char / "=2C" / "=3D"); value-safe-char is any
// UTF8-char except NUL, "=" and ",". Returns the decoded name.
std::optional<std::string> decode_saslname(std::string_view s) {
  if (s.empty() || !valid_utf8(s)) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\0' || c == ',') return std::nullopt;
    if (c != '=') {
      out += c;
      continue;
    }
    const std::string_view escape = s.substr(i + 1, 2);
    if (escape == "2C") {
      out += ',';
    } else if (escape == "3D") {
      out += '=';
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

// printable = %x21-2B / %x2D-7E (printable ASCII except ","); c-nonce = printable+.
bool valid_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

// attr-val = ALPHA "=" value; value = 1*value-char (any UTF8-char but NUL, ",").
bool valid_attr_val(std::string_view s) {
  if (s.size() < 3 || s[1] != '=') return false;
  const char a = s[0];
  if (!((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z'))) return false;
  return s.find('\0') == std::string_view::npos && valid_utf8(s);
}

bool valid_extensions(const std::vector<std::string_view>& fields, size_t from) {
  for (size_t i = from; i < fields.size(); ++i) {
    if (!valid_attr_val(fields[i])) return false;
  }
  return true;
}

// cb-name = 1*(ALPHA / DIGIT / "." / "-")
bool valid_cb_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

// ---- Primitives (RFC 5802 §2.2, §3) -----------------------------------------

size_t scram_digest_size(ScramHash h) { return h == ScramHash::kSha1 ? 20 : 32; }

std::string scram_hmac(ScramHash h, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(evp_md(h), bytes(key), checked_int(key.size()), bytes(data), data.size(), out, &len) ==
      nullptr) {
    fatal("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string scram_hash(ScramHash h, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes(data), data.size(), out, &len, evp_md(h), nullptr) != 1) {
    fatal("digest failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string scram_salted_password(ScramHash h, std::string_view password, std::string_view salt,
                                  int iterations) {
  if (iterations < 1) fatal("scram: iteration count must be at least 1");
  // Hi(str, salt, i) is PBKDF2 with HMAC-H and dkLen = output length of H
  // (RFC 5802 §2.2).
  std::string out(scram_digest_size(h), '\0');
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(bytes(password)),
                        checked_int(password.size()), bytes(salt), checked_int(salt.size()),
                        iterations, evp_md(h), checked_int(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    fatal("PBKDF2 failed");
  }
  return out;
}

ScramSecret scram_derive(ScramHash h, std::string_view password, std::string_view salt,
                         int iterations) {
  std::string salted = scram_salted_password(h, password, salt, iterations);
  std::string client_key = scram_hmac(h, salted, "Client Key");
  ScramSecret s;
  s.salt = std::string(salt);
  s.iterations = iterations;
  s.stored_key = scram_hash(h, client_key);
  s.server_key = scram_hmac(h, salted, "Server Key");
  sodium_memzero(salted.data(), salted.size());
  sodium_memzero(client_key.data(), client_key.size());
  return s;
}

bool scram_verify_client_proof(ScramHash h, const ScramSecret& s, std::string_view auth_message,
                               std::string_view client_proof) {
  const size_t n = scram_digest_size(h);
  if (client_proof.size() != n || s.stored_key.size() != n) return false;
  const std::string signature = scram_hmac(h, s.stored_key, auth_message);
  std::string client_key = xor_bytes(client_proof, signature);
  const bool ok = equal_constant_time(scram_hash(h, client_key), s.stored_key);
  sodium_memzero(client_key.data(), client_key.size());
  return ok;
}

std::string scram_server_signature(ScramHash h, const ScramSecret& s,
                                   std::string_view auth_message) {
  return scram_hmac(h, s.server_key, auth_message);
}

std::string scram_client_proof(ScramHash h, std::string_view salted_password,
                               std::string_view auth_message) {
  std::string client_key = scram_hmac(h, salted_password, "Client Key");
  const std::string stored_key = scram_hash(h, client_key);
  const std::string signature = scram_hmac(h, stored_key, auth_message);
  std::string proof = xor_bytes(client_key, signature);
  sodium_memzero(client_key.data(), client_key.size());
  return proof;
}

// ---- Mechanism names and failures -------------------------------------------

std::optional<ScramMechanism> parse_scram_mechanism(std::string_view name) {
  for (ScramHash h : {ScramHash::kSha1, ScramHash::kSha256}) {
    for (bool plus : {false, true}) {
      const ScramMechanism m{h, plus};
      if (iequals(name, scram_mechanism_name(m))) return m;
    }
  }
  return std::nullopt;
}

std::string_view scram_mechanism_name(ScramMechanism m) {
  if (m.hash == ScramHash::kSha1) return m.plus ? "SCRAM-SHA-1-PLUS" : "SCRAM-SHA-1";
  return m.plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
}

std::string_view scram_failure_value(ScramFailure f) {
  switch (f) {
    case ScramFailure::kNone:
      return "";
    case ScramFailure::kInvalidEncoding:
      return "invalid-encoding";
    case ScramFailure::kExtensionsNotSupported:
      return "extensions-not-supported";
    case ScramFailure::kInvalidProof:
      return "invalid-proof";
    case ScramFailure::kChannelBindingsDontMatch:
      return "channel-bindings-dont-match";
    case ScramFailure::kServerDoesSupportChannelBinding:
      return "server-does-support-channel-binding";
    case ScramFailure::kChannelBindingNotSupported:
      return "channel-binding-not-supported";
    case ScramFailure::kUnsupportedChannelBindingType:
      return "unsupported-channel-binding-type";
    case ScramFailure::kUnknownUser:
      return "unknown-user";
    case ScramFailure::kInvalidUsernameEncoding:
      return "invalid-username-encoding";
    case ScramFailure::kOtherError:
      return "other-error";
  }
  return "other-error";
}

// ---- ScramServer ------------------------------------------------------------

ScramServer::ScramServer(ScramMechanism mechanism, std::optional<std::string> channel_binding,
                         std::string server_nonce)
    : mechanism_(mechanism),
      channel_binding_(std::move(channel_binding)),
      server_nonce_(server_nonce.empty() ? random_nonce() : std::move(server_nonce)) {}

Error ScramServer::fail(ScramFailure f, ErrorKind kind, std::string message) {
  state_ = State::kFailed;
  failure_ = f;
  return Error{kind, "scram: " + std::move(message)};
}

// client-first-message = gs2-header client-first-message-bare
// gs2-header = gs2-cbind-flag "," [ authzid ] ","          (RFC 5802 §7)
Result<std::string> ScramServer::client_first(std::string_view msg) {
  if (state_ != State::kClientFirst) return internal_error("scram: client-first out of order");
  if (msg.size() > kMaxMessageSize) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "message too long");
  }
  const size_t c1 = msg.find(',');
  const size_t c2 = c1 == std::string_view::npos ? c1 : msg.find(',', c1 + 1);
  if (c2 == std::string_view::npos) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "missing gs2 header");
  }
  gs2_header_ = std::string(msg.substr(0, c2 + 1));
  MOX_TRY(parse_cbind_flag(msg.substr(0, c1)));
  MOX_TRY(parse_authzid(msg.substr(c1 + 1, c2 - c1 - 1)));
  MOX_TRY(parse_client_first_bare(msg.substr(c2 + 1)));
  state_ = State::kServerFirst;
  return username_;
}

// gs2-cbind-flag = ("p=" cb-name) / "n" / "y"; the rules are RFC 5802 §6.
Status ScramServer::parse_cbind_flag(std::string_view flag) {
  if (flag == "n" || flag == "y") {
    // A -PLUS mechanism means the client does channel binding: "p" only.
    if (mechanism_.plus) {
      return fail(ScramFailure::kOtherError, ErrorKind::kPermanent,
                  "channel binding flag required with -PLUS mechanism");
    }
    // "y": the client can bind but thinks we cannot. We always advertise
    // -PLUS, so if we can bind here, someone removed it: a downgrade.
    if (flag == "y" && channel_binding_) {
      return fail(ScramFailure::kServerDoesSupportChannelBinding, ErrorKind::kPermanent,
                  "server does support channel binding");
    }
    cbind_flag_ = flag[0];
    return {};
  }
  const std::optional<std::string_view> name = attribute(flag, 'p');
  if (!name || !valid_cb_name(*name)) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad gs2-cbind-flag");
  }
  if (!mechanism_.plus) {
    return fail(ScramFailure::kOtherError, ErrorKind::kPermanent,
                "channel binding requires a -PLUS mechanism");
  }
  if (*name != kChannelBindingType) {
    return fail(ScramFailure::kUnsupportedChannelBindingType, ErrorKind::kPermanent,
                "unsupported channel binding type");
  }
  if (!channel_binding_) {
    return fail(ScramFailure::kChannelBindingNotSupported, ErrorKind::kPermanent,
                "channel binding not available on this connection");
  }
  cbind_flag_ = 'p';
  return {};
}

// authzid = "a=" saslname (optional)
Status ScramServer::parse_authzid(std::string_view field) {
  if (field.empty()) return {};
  const std::optional<std::string_view> value = attribute(field, 'a');
  std::optional<std::string> decoded;
  if (value) decoded = decode_saslname(*value);
  if (!decoded) return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad authzid");
  authzid_ = std::move(*decoded);
  return {};
}

// client-first-message-bare = [reserved-mext ","] username "," nonce
//                             ["," extensions]
Status ScramServer::parse_client_first_bare(std::string_view bare) {
  const std::vector<std::string_view> fields = split_commas(bare);
  // RFC 5802 §5.1 "m": reserved for mandatory extensions; we know none.
  if (attribute(fields[0], 'm')) {
    return fail(ScramFailure::kExtensionsNotSupported, ErrorKind::kSyntax,
                "mandatory extension not supported");
  }
  const std::optional<std::string_view> user = attribute(fields[0], 'n');
  if (!user || fields.size() < 2) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "expected n= and r=");
  }
  std::optional<std::string> decoded = decode_saslname(*user);
  if (!decoded) {
    return fail(ScramFailure::kInvalidUsernameEncoding, ErrorKind::kSyntax, "bad username");
  }
  const std::optional<std::string_view> nonce = attribute(fields[1], 'r');
  if (!nonce || !valid_nonce(*nonce)) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad nonce");
  }
  // Optional extensions we do not know are ignored (RFC 5802 §5.1).
  if (!valid_extensions(fields, 2)) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad extension");
  }
  username_ = std::move(*decoded);
  client_nonce_ = std::string(*nonce);
  client_first_bare_ = std::string(bare);
  return {};
}

// server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count
std::string ScramServer::server_first(const ScramSecret& secret) {
  if (state_ != State::kServerFirst) fatal("scram: server_first out of order");
  secret_ = secret;
  server_first_ = "r=" + client_nonce_ + server_nonce_ + ",s=" + base64_encode(secret.salt) +
                  ",i=" + std::to_string(secret.iterations);
  state_ = State::kClientFinal;
  return server_first_;
}

// client-final-message-without-proof = channel-binding "," nonce ["," extensions]
// client-final-message = client-final-message-without-proof "," proof
Result<std::string> ScramServer::client_final(std::string_view msg) {
  if (state_ != State::kClientFinal) return internal_error("scram: client-final out of order");
  if (msg.size() > kMaxMessageSize) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "message too long");
  }
  // The proof is base64, so it contains no ",": it follows the last comma.
  const size_t last = msg.rfind(',');
  const std::optional<std::string_view> proof_b64 =
      last == std::string_view::npos ? std::nullopt : attribute(msg.substr(last + 1), 'p');
  if (!proof_b64) return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "missing p=");
  const std::string_view without_proof = msg.substr(0, last);
  const std::vector<std::string_view> fields = split_commas(without_proof);
  const std::optional<std::string_view> cbind = attribute(fields[0], 'c');
  const std::optional<std::string_view> nonce =
      fields.size() < 2 ? std::nullopt : attribute(fields[1], 'r');
  if (!cbind || !nonce || !valid_extensions(fields, 2)) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "expected c=, r=, p=");
  }
  MOX_TRY(check_channel_binding(*cbind));
  if (*nonce != client_nonce_ + server_nonce_) {
    return fail(ScramFailure::kOtherError, ErrorKind::kSyntax, "nonce mismatch");
  }
  Result<std::string> proof = base64_decode(*proof_b64);
  if (!proof.ok()) return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad proof");

  // AuthMessage = client-first-message-bare "," server-first-message ","
  //               client-final-message-without-proof    (RFC 5802 §3)
  std::string auth_message = client_first_bare_;
  auth_message.append(",").append(server_first_).append(",").append(without_proof);
  if (!scram_verify_client_proof(mechanism_.hash, secret_, auth_message, *proof)) {
    return fail(ScramFailure::kInvalidProof, ErrorKind::kUser, "invalid proof");
  }
  state_ = State::kDone;
  return "v=" + base64_encode(scram_server_signature(mechanism_.hash, secret_, auth_message));
}

// channel-binding = "c=" base64 of cbind-input; cbind-input = gs2-header
// [ cbind-data ], cbind-data present only with "p" (RFC 5802 §7).
Status ScramServer::check_channel_binding(std::string_view c_value) {
  Result<std::string> got = base64_decode(c_value);
  if (!got.ok()) {
    return fail(ScramFailure::kInvalidEncoding, ErrorKind::kSyntax, "bad channel binding");
  }
  std::string expected = gs2_header_;
  if (cbind_flag_ == 'p') expected += *channel_binding_;
  if (*got != expected) {
    return fail(ScramFailure::kChannelBindingsDontMatch, ErrorKind::kPermanent,
                "channel bindings do not match");
  }
  return {};
}

std::vector<std::string_view> scram_fields(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t comma = s.find(',');
    out.push_back(s.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    s.remove_prefix(comma + 1);
  }
}

std::optional<std::string_view> scram_attribute(std::string_view field, char name) {
  if (field.size() < 2 || field[0] != name || field[1] != '=') return std::nullopt;
  return field.substr(2);
}

}  // namespace mox::sasl
