// SCRAM-SHA-1, SCRAM-SHA-256 (RFC 5802, RFC 7677) and their -PLUS variants
// with tls-exporter channel binding (RFC 9266), over ScramServer (sasl/scram_core.h).
//
// Exchange (RFC 5802 §5):
//   C: client-first-message       → S: server-first-message (challenge)
//   C: client-final-message       → S: server-final-message "v=…" (challenge)
//   C: "" (empty response)        → S: success
// The server-final-message is sent as a challenge, not as additional data
// with the success reply, because IMAP4rev1 cannot carry it there and SMTP
// servers commonly do the same (RFC 4954 §4 allows either).
#include <optional>

#include "sasl/internal.h"

namespace mox::sasl {
namespace {

class Scram final : public Mechanism {
 public:
  Scram(const Context& ctx, ScramMechanism m) : Mechanism(ctx), mech_(m) {}
  std::string_view name() const override { return scram_mechanism_name(mech_); }

 protected:
  Step on_start(std::optional<std::string_view> ir) override {
    if (mech_.plus && !ctx().channel_binding) {
      if (!ctx().tls) return fail(Failure::kNoTLS, "scram plus mechanism requires tls");
      return fail(Failure::kBadChanBind, "channel binding not available on this connection");
    }
    // Channel binding data is passed for the bare mechanisms too, so that a
    // "y" flag is recognised as a downgrade (RFC 5802 §6).
    server_.emplace(mech_, ctx().channel_binding);
    if (!ir) return challenge({});
    return on_next(*ir);
  }

  Step on_next(std::string_view response) override {
    switch (state_) {
      case State::kClientFirst:
        return client_first(response);
      case State::kClientFinal:
        return client_final(response);
      case State::kFinalAck:
        // Nothing follows the server-final-message but an empty response.
        if (!response.empty()) return fail(Failure::kSyntax, "unexpected data after scram");
        return succeed(*user_);
    }
    return fail(Failure::kError, "sasl: bad scram state");
  }

 private:
  enum class State { kClientFirst, kClientFinal, kFinalAck };

  Step client_first(std::string_view msg) {
    Result<std::string> username = server_->client_first(msg);
    if (!username.ok()) return scram_failed(username.error());
    set_username(*username);
    // mox-smtpd(8) "Authentication": acting for another identity is not
    // supported.
    if (!server_->authzid().empty() && server_->authzid() != *username) {
      return fail(Failure::kOtherRole, "cannot assume other role");
    }
    Result<AuthUser> u = lookup(*username);
    if (!u.ok()) return lookup_failed(u.error());
    const ScramSecret secret =
        u->password ? scram_secret_for(*u->password, mech_.hash) : ScramSecret{};
    // mox-smtpd(8) "Authentication": "454 4.3.0 scram not possible", not
    // counted as a failure.
    if (!scram_secret_usable(mech_.hash, secret)) {
      return fail(Failure::kScramNotPossible, "scram not possible");
    }
    user_ = std::move(*u);
    state_ = State::kClientFinal;
    return challenge(server_->server_first(secret));
  }

  Step client_final(std::string_view msg) {
    Result<std::string> server_final = server_->client_final(msg);
    if (!server_final.ok()) return scram_failed(server_final.error());
    if (std::optional<Step> refused = refuse(*user_)) return *refused;
    state_ = State::kFinalAck;
    return challenge(std::move(*server_final));
  }

  // ScramServer's error kinds: kUser wrong proof, kPermanent channel binding
  // refused or mismatched, kSyntax malformed, kInternal our bug.
  static Step scram_failed(const Error& e) {
    switch (e.kind) {
      case ErrorKind::kUser:
        return fail(Failure::kBadCreds, std::string(kBadCredsMessage));
      case ErrorKind::kPermanent:
        return fail(Failure::kBadChanBind, e.message);
      case ErrorKind::kSyntax:
        return fail(Failure::kSyntax, e.message);
      default:
        return fail(Failure::kError, e.message);
    }
  }

  ScramMechanism mech_;
  std::optional<ScramServer> server_;
  std::optional<AuthUser> user_;
  State state_ = State::kClientFirst;
};

}  // namespace

std::unique_ptr<Mechanism> new_scram(const Context& ctx, ScramMechanism m) {
  return std::make_unique<Scram>(ctx, m);
}

}  // namespace mox::sasl
