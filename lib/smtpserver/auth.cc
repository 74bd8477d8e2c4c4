// AUTH (RFC 4954) with the mechanisms of lib/sasl; reply codes per mox-smtpd(8)
// "Authentication".
#include "sasl/sasl.h"
#include "smtpserver/session.h"
#include "util/encoding.h"

namespace mox::smtpserver {
namespace {

// One reply per failure kind, in one place (docs/DESIGN.md "Code conventions").
smtp::Reply failure_reply(const sasl::Step& st) {
  using F = sasl::Failure;
  switch (st.failure) {
    case F::kBadCreds:
      return {535, "7.8", "bad user/pass"};
    case F::kBadChanBind:
      return {535, "7.8", "channel binding mismatch"};
    case F::kAborted:
      return {501, "0.0", "authentication aborted"};
    case F::kSyntax:
      return {501, "5.2", "malformed authentication response"};
    case F::kScramNotPossible:
      return {454, "3.0", "scram not possible"};
    case F::kLoginDisabled:
      return {525, "7.13", st.message};  // "login disabled for account: …"
    case F::kNoTLS:
      return {538, "7.11", "tls required for tls client certificate authentication"};
    case F::kNoCert:
      return {535, "7.8",
              "missing client certificate, required for tls client certificate authentication"};
    case F::kOtherAccount:
      return {
          535, "7.8",
          "authentication failed, tls client certificate public key belongs to another account"};
    case F::kOtherRole:
      return {535, "7.8", "cannot assume other role"};
    case F::kNone:
    case F::kError:
      break;
  }
  return {454, "7.0", "temporary authentication failure"};
}

}  // namespace

void Session::cmd_auth(const std::string& args, Output& out) {
  if (s_.mode == Mode::kSmtp)
    return error(out, 503, "5.1", "authentication only on submission ports");
  if (state_ == State::kInitial) return error(out, 503, "5.1", "send EHLO first");
  if (!account_.empty()) return error(out, 503, "5.1", "already authenticated");
  if (state_ != State::kReady) {
    return error(out, 503, "5.1", "authentication not allowed during mail transaction");
  }
  if (!tls_.active && s_.auth_requires_tls)
    return error(out, 538, "7.11", "authentication requires tls");
  if (!backend_.auth_allowed()) {
    reply(out, 421, "7.0", "too many auth failures");
    out.close = true;
    state_ = State::kClosed;
    return;
  }
  size_t sp = args.find(' ');
  std::string name = args.substr(0, sp);
  std::optional<std::string> initial;
  if (sp != std::string::npos) {
    std::string ir = args.substr(sp + 1);
    if (ir == "=") {
      initial = "";  // RFC 4954 §4: "=" is an empty initial response
    } else {
      auto d = base64_decode(ir);
      if (!d) return error(out, 501, "5.2", "invalid base64 in initial response");
      initial = *d;
    }
  }
  auto m = sasl::make_mechanism(name, backend_.sasl_context(tls_));
  if (!m) return error(out, 504, "5.4", "unrecognized authentication mechanism");
  mech_ = std::move(*m);
  auth_step(mech_->start(initial ? std::optional<std::string_view>(*initial) : std::nullopt), out);
}

void Session::auth_response(std::string_view line, Output& out) {
  if (line == "*") return auth_step(mech_->abort(), out);  // RFC 4954 §4
  auto d = base64_decode(line);
  if (!d) {
    sasl::Step st{sasl::Outcome::kFailure, "", sasl::Failure::kSyntax, "invalid base64"};
    return auth_step(st, out);
  }
  auth_step(mech_->next(*d), out);
}

void Session::auth_step(const sasl::Step& step, Output& out) {
  if (step.outcome == sasl::Outcome::kContinue) {
    state_ = State::kAuth;
    out.reply += "334 " + base64_encode(step.challenge) + "\r\n";
    return;
  }
  state_ = State::kReady;
  std::string mech = mech_->attempt_mech();
  if (step.outcome == sasl::Outcome::kSuccess) {
    account_ = mech_->account();
    username_ = mech_->username();
    backend_.auth_attempt(mech, username_, account_, "ok");
    auth_failures_ = 0;
    mech_.reset();
    reply(out, 235, "7.0", "nice");
    return;
  }
  backend_.auth_attempt(mech, mech_->username(), mech_->attempt_account(),
                        sasl::attempt_result(step.failure));
  mech_.reset();
  if (step.failure == sasl::Failure::kBadCreds || step.failure == sasl::Failure::kBadChanBind ||
      step.failure == sasl::Failure::kOtherRole || step.failure == sasl::Failure::kOtherAccount) {
    // mox-smtpd(8) "Authentication": more than 3 failures slow every further
    // attempt down.
    ++auth_failures_;
    if (auth_failures_ > 3) out.delay = s_.auth_delay_unit * (auth_failures_ - 3);
  }
  smtp::Reply r = failure_reply(step);
  out.reply += r.wire();
}

}  // namespace mox::smtpserver
