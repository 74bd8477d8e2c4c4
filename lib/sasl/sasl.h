// Server-side SASL (RFC 4422) mechanisms as I/O-free state machines, shared by
// SMTP AUTH (RFC 4954) and IMAP AUTHENTICATE (RFC 9051 §6.2.2).
//
// The protocol code base64-decodes what the client sends, feeds the raw bytes
// to a Mechanism and base64-encodes the challenge of each Step it gets back:
//
//   MOX_ASSIGN(auto m, sasl::make_mechanism(name, ctx));   // else 504 / NO
//   sasl::Step s = m->start(initial_response);             // nullopt: none
//   while (s.outcome == sasl::Outcome::kContinue) {
//     send_challenge(base64_encode(s.challenge));           // "334 " / "+ "
//     line = read_line();
//     s = line == "*" ? m->abort() : m->next(decode(line));
//   }
//   record_attempt(m->attempt_mech(), m->username(), m->attempt_account(),
//                  sasl::attempt_result(s.failure));
//   if (s.outcome == sasl::Outcome::kSuccess) use(m->account(), m->username());
//   else reply_for(s.failure, s.message);                  // one place per protocol
//
// Mechanisms (mox-smtpd(8) "Authentication"): PLAIN (RFC 4616), LOGIN
// (draft-murchison-sasl-login-00), CRAM-MD5 (RFC 2195), SCRAM-SHA-1 and
// SCRAM-SHA-256 (RFC 5802, RFC 7677) and their -PLUS variants with tls-exporter
// channel binding (RFC 9266), EXTERNAL (RFC 4422 App. A;
// mox-imapd(8) "TLS client certificates", mox-smtpd(8) "Authentication").
//
// Rules every mechanism applies (mox-imapd(8), mox-smtpd(8) "Authentication"):
//   - Usernames are email addresses, resolved by Context::creds; an unknown
//     username and a wrong password are the same failure (kBadCreds).
//   - The LoginDisabled message is only revealed after the credentials were
//     verified: a wrong password on a disabled account is kBadCreds.
//   - On a connection already authenticated by a TLS client certificate
//     (Context::tls_cert_account), the resulting account must be that
//     account (kOtherAccount); this is checked before LoginDisabled.
//   - Usernames are not NFC-normalised (no Unicode tables without ICU); they
//     are used as sent, after UTF-8 validation. Passwords are prepared with
//     prepare_password (sasl/secrets.h: PRECIS OpaqueString without NFC).
//
// Thread-safety: a Mechanism is used by one thread at a time. Nothing here
// logs, and no Step message ever contains a password or proof.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sasl/credentials.h"
#include "util/result.h"

namespace mox::sasl {

// What a connection knows when authentication starts.
struct Context {
  Credentials* creds = nullptr;  // not owned; must outlive every Mechanism made
  // tls-exporter bytes (RFC 9266 §2) when TLS can provide them; nullopt
  // without TLS or with TLS 1.2 without extended master secret (RFC 9266 §3).
  // -PLUS mechanisms are offered and accepted only when set.
  std::optional<std::string> channel_binding;
  bool tls = false;
  // The account and login address of a verified TLS client certificate
  // (mox-smtpd(8) "Authentication"); both set or both unset.
  std::optional<std::string> tls_cert_account, tls_cert_login_address;
  std::string hostname;  // for the CRAM-MD5 challenge; "localhost" if empty
  int64_t now = 0;       // unix seconds for the CRAM-MD5 challenge; 0: the clock
};

enum class Outcome { kContinue, kSuccess, kFailure };

enum class Failure {
  kNone,
  kBadCreds,          // unknown user or wrong password
  kBadChanBind,       // SCRAM channel binding refused or mismatched
  kAborted,           // the client sent "*"
  kSyntax,            // malformed client message
  kScramNotPossible,  // the account lacks the mechanism's secret (no password)
  kLoginDisabled,     // right credentials, login disabled; message says why
  kNoTLS,             // EXTERNAL or -PLUS without TLS
  kNoCert,            // EXTERNAL without a certificate-authenticated account
  kOtherAccount,      // credentials of another account than the client cert's
  kOtherRole,         // authzid other than the authcid
  kError,             // server-side error (database), or calls out of order
};

struct Step {
  Outcome outcome = Outcome::kFailure;
  std::string challenge;  // kContinue: raw bytes to send; the protocol base64-encodes
  Failure failure = Failure::kNone;
  std::string message;  // kFailure: a reply text (no secrets), e.g. "bad credentials"
};

// One authentication exchange. Not copyable; use once.
class Mechanism {
 public:
  virtual ~Mechanism() = default;
  Mechanism(const Mechanism&) = delete;
  Mechanism& operator=(const Mechanism&) = delete;

  // The first step, with the initial response (RFC 4422 §5; SMTP AUTH
  // argument, IMAP SASL-IR) as raw decoded bytes, "" for an empty one ("=")
  // and nullopt when none was given. Call once.
  Step start(std::optional<std::string_view> initial_response);
  // The client's response to the last kContinue challenge, raw decoded bytes.
  Step next(std::string_view response);
  // The client cancelled with "*" (RFC 4954 §4, RFC 9051 §6.2.2): kAborted.
  Step abort();
  bool done() const { return phase_ == Phase::kDone; }

  // The authenticated account; empty unless the exchange ended in kSuccess.
  const std::string& account() const { return account_; }
  // The login address as typed by the client (docs/DESIGN.md "Login attempts"
  // LoginAddress); for EXTERNAL without an identity, the certificate's login
  // address. Set as soon as the client sent it, so login attempts record it on
  // failure too.
  const std::string& username() const { return username_; }
  // The account the username resolved to, also when the password was then
  // wrong (login attempts record it); empty if unknown. Not proof of anything.
  const std::string& attempt_account() const { return attempt_account_; }

  virtual std::string_view name() const = 0;  // upper case, e.g. "SCRAM-SHA-256-PLUS"
  // The auth-mech value for login attempts (docs/DESIGN.md "Login attempts"),
  // e.g. "cram-md5".
  std::string attempt_mech() const;

 protected:
  explicit Mechanism(Context ctx) : ctx_(std::move(ctx)) {}

  virtual Step on_start(std::optional<std::string_view> initial_response) = 0;
  virtual Step on_next(std::string_view response) = 0;

  // Helpers for the mechanisms.
  static Step challenge(std::string bytes);
  static Step fail(Failure f, std::string message);
  // Looks up a username through ctx_.creds, setting username() and
  // attempt_account(); turn an error into a Step with lookup_failed().
  Result<AuthUser> lookup(std::string_view username);
  static Step lookup_failed(const Error& e);
  // After the credentials were verified: the failure for another account than
  // the TLS client certificate's, or for a login-disabled account; nullopt
  // if the user may log in.
  std::optional<Step> refuse(const AuthUser& u) const;
  // Ends in success as u.
  Step succeed(const AuthUser& u);

  void set_username(std::string_view u) { username_ = std::string(u); }
  const Context& ctx() const { return ctx_; }

 private:
  enum class Phase { kNew, kStarted, kDone };
  Step finish(Step s);

  Context ctx_;
  Phase phase_ = Phase::kNew;
  std::string account_, username_, attempt_account_;
};

// Largest response a mechanism accepts; longer ones are kSyntax. Real ones
// (an address, a password, a SCRAM proof) are far smaller.
constexpr size_t kMaxResponseSize = 8192;

// A server mechanism by name, compared case-insensitively. Any known mechanism
// can be made, also one server_mechanisms() would not offer: its first step
// then fails with the specific reason (kNoTLS, kNoCert, kBadChanBind), so the
// attempt is recorded. Errors: kUser "method not supported" for an unknown
// name (SMTP 504 5.5.4, IMAP NO); kInternal if ctx.creds is null.
Result<std::unique_ptr<Mechanism>> make_mechanism(std::string_view name, const Context& ctx);

// The mechanisms to advertise, in the order of mox-smtpd(8) "Authentication":
// EXTERNAL (when TLS and a certificate account), SCRAM-SHA-256-PLUS,
// SCRAM-SHA-256, SCRAM-SHA-1-PLUS, SCRAM-SHA-1, CRAM-MD5, and PLAIN LOGIN if
// allow_plaintext. The -PLUS variants only with ctx.channel_binding (mox
// advertises them without TLS too; we do not offer what we would refuse).
std::vector<std::string> server_mechanisms(const Context& ctx, bool allow_plaintext);

// True for mechanisms that send the password itself (PLAIN, LOGIN): the
// protocol refuses them without TLS unless configured otherwise (mox-smtpd(8)
// "Authentication").
bool sends_plaintext_password(std::string_view name);

// The Result value for a login attempt (docs/DESIGN.md "Login attempts"):
//   kNone "ok"; kBadCreds, kOtherAccount, kOtherRole, kNoCert "badcreds";
//   kBadChanBind "badchanbind"; kAborted "aborted"; kSyntax, kNoTLS
//   "badprotocol"; kLoginDisabled "logindisabled"; kScramNotPossible,
//   kError "error".
std::string_view attempt_result(Failure f);

}  // namespace mox::sasl
