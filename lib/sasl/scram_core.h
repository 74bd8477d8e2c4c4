// SCRAM (RFC 5802, RFC 7677) and channel binding (RFC 5056, RFC 9266).
//
// Pure computations and a server-side exchange state machine; no I/O, no
// logging. The SMTP and IMAP SASL code feeds it the decoded client messages and
// sends what it returns (base64-encoded, as each protocol wants).
//
// All byte strings ("raw") are std::string holding arbitrary bytes.
// Thread-safety: the free functions are stateless and safe to call
// concurrently; a ScramServer is used by one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sasl/secrets.h"
#include "util/result.h"

namespace mox::sasl {

// Output size of H in bytes: 20 for SHA-1, 32 for SHA-256.
size_t scram_digest_size(ScramHash h);

// HMAC(key, data) with H (RFC 2104), raw.
std::string scram_hmac(ScramHash h, std::string_view key, std::string_view data);

// H(data), raw.
std::string scram_hash(ScramHash h, std::string_view data);

// Server side of RFC 5802 §3: ClientSignature = HMAC(StoredKey, AuthMessage);
// ClientKey = ClientProof XOR ClientSignature; true iff H(ClientKey) ==
// StoredKey, compared in constant time. False for a proof or secret of the
// wrong length.
bool scram_verify_client_proof(ScramHash h, const ScramSecret& s, std::string_view auth_message,
                               std::string_view client_proof);

// ServerSignature = HMAC(ServerKey, AuthMessage) (RFC 5802 §3), raw.
std::string scram_server_signature(ScramHash h, const ScramSecret& s,
                                   std::string_view auth_message);

// Client side of RFC 5802 §3: ClientProof = ClientKey XOR HMAC(H(ClientKey),
// AuthMessage) with ClientKey = HMAC(SaltedPassword, "Client Key"), raw.
std::string scram_client_proof(ScramHash h, std::string_view salted_password,
                               std::string_view auth_message);

// A SCRAM SASL mechanism: its hash and whether it is the -PLUS (channel
// binding) variant (RFC 5802 §4).
struct ScramMechanism {
  ScramHash hash = ScramHash::kSha256;
  bool plus = false;
};

// "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
// compared case-insensitively; nullopt for any other name.
std::optional<ScramMechanism> parse_scram_mechanism(std::string_view name);
std::string_view scram_mechanism_name(ScramMechanism m);  // upper case

// Why an exchange failed. The values are RFC 5802 §7 server-error-value; the
// protocol code may send "e=" + scram_failure_value(f) as server-final-message.
enum class ScramFailure {
  kNone,
  kInvalidEncoding,                  // malformed message
  kExtensionsNotSupported,           // mandatory extension "m=" (RFC 5802 §5.1)
  kInvalidProof,                     // wrong password
  kChannelBindingsDontMatch,         // c= differs: possible man in the middle
  kServerDoesSupportChannelBinding,  // "y" flag while we can bind: downgrade
  kChannelBindingNotSupported,       // "p=" but no binding data (no TLS)
  kUnsupportedChannelBindingType,    // "p=" with a type other than tls-exporter
  kUnknownUser,                      // for the caller; never set by ScramServer
  kInvalidUsernameEncoding,          // bad saslname in n=
  kOtherError,                       // e.g. nonce mismatch, -PLUS without "p="
};
std::string_view scram_failure_value(ScramFailure f);  // "" for kNone

// Server side of one SCRAM exchange (RFC 5802 §5, §7):
//
//   ScramServer s(mech, tls_exporter);
//   MOX_ASSIGN(std::string user, s.client_first(msg1));  // look up user
//   send(s.server_first(secret));                        // the user's secret
//   MOX_ASSIGN(std::string v, s.client_final(msg3));     // authenticated
//   send(v);
//
// Errors returned by client_first/client_final, by ErrorKind:
//   kUser       the proof is wrong (bad password): a failed login.
//   kPermanent  channel binding refused or mismatched (possible MITM or
//               downgrade, or -PLUS without TLS).
//   kSyntax     malformed message, unsupported extension, nonce mismatch.
//   kInternal   methods called out of order (a bug in the caller).
// failure() then names the RFC 5802 server-error-value. After an error the
// exchange is over; every further call fails.
//
// The username and authzid are returned decoded (=2C, =3D) but otherwise as
// sent; normalising them (NFC) and the authzid policy (mox-smtpd(8)
// "Authentication": authzid other than the username is refused) are the
// caller's.
class ScramServer {
 public:
  // channel_binding: the connection's tls-exporter bytes (RFC 9266 §2), or
  // nullopt if there is no TLS (or TLS cannot provide them: TLS 1.2 without
  // extended master secret, RFC 9266 §3). server_nonce is for tests only:
  // empty means a fresh random nonce; otherwise it must be printable ASCII
  // without ',' (RFC 5802 §7).
  ScramServer(ScramMechanism mechanism, std::optional<std::string> channel_binding,
              std::string server_nonce = {});

  // Not copyable: a copy would let one nonce serve two exchanges.
  ScramServer(const ScramServer&) = delete;
  ScramServer& operator=(const ScramServer&) = delete;
  ScramServer(ScramServer&&) = default;
  ScramServer& operator=(ScramServer&&) = default;

  // Parses client-first-message; returns the username (authcid) to look up.
  Result<std::string> client_first(std::string_view msg);

  // Returns server-first-message for the user's stored secret. Precondition:
  // client_first succeeded and server_first was not called yet (aborts
  // otherwise). The caller should check scram_secret_usable() first
  // (mox-smtpd(8) "Authentication": "454 4.3.0 scram not possible"); an
  // unusable secret makes the proof fail.
  std::string server_first(const ScramSecret& secret);

  // Verifies client-final-message; returns server-final-message "v=...".
  Result<std::string> client_final(std::string_view msg);

  ScramMechanism mechanism() const { return mechanism_; }
  const std::string& username() const { return username_; }
  const std::string& authzid() const { return authzid_; }  // empty if none
  ScramFailure failure() const { return failure_; }
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kClientFirst, kServerFirst, kClientFinal, kDone, kFailed };

  Error fail(ScramFailure f, ErrorKind kind, std::string message);
  Status parse_cbind_flag(std::string_view flag);
  Status parse_authzid(std::string_view field);
  Status parse_client_first_bare(std::string_view bare);
  Status check_channel_binding(std::string_view c_value);

  ScramMechanism mechanism_;
  std::optional<std::string> channel_binding_;
  std::string server_nonce_;
  State state_ = State::kClientFirst;
  ScramFailure failure_ = ScramFailure::kNone;

  // From client-first-message.
  char cbind_flag_ = 'n';   // 'n', 'y' or 'p'
  std::string gs2_header_;  // e.g. "n,," or "p=tls-exporter,a=x,"
  std::string client_first_bare_;
  std::string username_, authzid_, client_nonce_;

  // From server_first.
  ScramSecret secret_;
  std::string server_first_;  // the message as sent
};

// RFC 5802 §7 message grammar: the comma-separated fields of a message, and
// the value of a field "<name>=value" (nullopt if it is another attribute).
std::vector<std::string_view> scram_fields(std::string_view s);
std::optional<std::string_view> scram_attribute(std::string_view field, char name);

}  // namespace mox::sasl
