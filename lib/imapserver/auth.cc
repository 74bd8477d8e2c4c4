// The ways into the authenticated state: LOGIN and AUTHENTICATE (RFC 9051
// §6.2.2–6.2.3, SASL-IR RFC 4959), and the PREAUTH greetings of a TLS client
// certificate and of mox-imapd --preauth (RFC 9051 §7.1.4); response texts
// and codes per mox-imapd(8) "Authentication", "TLS client certificates" and
// "PREAUTH".
#include <thread>

#include "imapserver/session.h"
#include "util/encoding.h"

namespace mox::imapserver {
namespace {

struct Refusal {
  imap::Condition cond;
  const char* code;
  std::string text;
};

// One response per failure kind, in one place (docs/DESIGN.md "Code
// conventions").
Refusal refusal(const sasl::Step& st) {
  using F = sasl::Failure;
  using C = imap::Condition;
  switch (st.failure) {
    case F::kBadCreds:
      return {C::kNo, "AUTHENTICATIONFAILED", "bad credentials"};
    case F::kBadChanBind:
      return {C::kNo, "AUTHENTICATIONFAILED", "channel binding mismatch"};
    case F::kAborted:
      return {C::kBad, "", "authenticate aborted by client"};
    case F::kSyntax:
      return {C::kBad, "", "malformed authentication message"};
    case F::kScramNotPossible:
      return {C::kNo, "", "scram not possible"};
    case F::kLoginDisabled:
      return {C::kNo, "", st.message};  // no code (mox-imapd(8))
    case F::kNoTLS:
      return {C::kNo, "AUTHENTICATIONFAILED",
              "tls required for tls client certificate authentication"};
    case F::kNoCert:
      return {C::kNo, "AUTHENTICATIONFAILED",
              "missing client certificate, required for tls client certificate authentication"};
    case F::kOtherAccount:
      return {
          C::kNo, "AUTHENTICATIONFAILED",
          "authentication failed, tls client certificate public key belongs to another account"};
    case F::kOtherRole:
      return {C::kNo, "AUTHORIZATIONFAILED", "cannot assume other role"};
    case F::kNone:
    case F::kError:
      break;
  }
  return {C::kNo, "UNAVAILABLE", "temporary failure, try again later"};
}

}  // namespace

bool Session::limited(Output& out) {
  // With the per-IP failure limit reached (auth/limiter.h), LOGIN and AUTHENTICATE
  // alike end the connection before any password is checked.
  if (backend_.auth_allowed()) return false;
  out.reply += "* BYE too many auth failures\r\n";
  out.close = true;
  state_ = State::kLogout;
  return true;
}

void Session::cmd_login(imap::Command& c, Output& out) {
  if (!tls_.active && s_.login_requires_tls) {
    return respond(out, c.tag, imap::Condition::kNo, "PRIVACYREQUIRED", "tls required for login");
  }
  if (limited(out)) return;
  auto& a = std::get<imap::LoginArgs>(c.args);
  auto m = sasl::make_mechanism("PLAIN", backend_.sasl_context(tls_));
  if (!m) return respond(out, c.tag, imap::Condition::kNo, "UNAVAILABLE", "try again later");
  mech_ = std::move(*m);
  auth_tag_ = c.tag;
  login_cmd_ = true;
  std::string msg = std::string(1, '\0') + a.username + std::string(1, '\0') + a.password;
  sasl::Step st = mech_->start(std::string_view(msg));
  auth_step(st, out);
}

void Session::cmd_authenticate(imap::Command& c, Output& out) {
  auto& a = std::get<imap::AuthenticateArgs>(c.args);
  if (limited(out)) return;
  if (sasl::sends_plaintext_password(a.mechanism) && !tls_.active && s_.login_requires_tls) {
    return respond(out, c.tag, imap::Condition::kNo, "PRIVACYREQUIRED", "tls required for login");
  }
  auto m = sasl::make_mechanism(a.mechanism, backend_.sasl_context(tls_));
  if (!m) return respond(out, c.tag, imap::Condition::kNo, "", "method not supported");
  mech_ = std::move(*m);
  auth_tag_ = c.tag;
  auto init =
      a.initial_response ? std::optional<std::string_view>(*a.initial_response) : std::nullopt;
  auth_step(mech_->start(init), out);
}

void Session::auth_line(std::string_view line, Output& out) {
  if (line == "*") return auth_step(mech_->abort(), out);
  auto d = base64_decode(line);
  if (!d)
    return auth_step(sasl::Step{sasl::Outcome::kFailure, "", sasl::Failure::kSyntax, ""}, out);
  auth_step(mech_->next(*d), out);
}

void Session::auth_step(const sasl::Step& st, Output& out) {
  if (st.outcome == sasl::Outcome::kContinue) {
    out.reply += "+ " + base64_encode(st.challenge) + "\r\n";
    return;
  }
  std::string tag = std::move(auth_tag_);
  std::string mech = login_cmd_ ? "login" : mech_->attempt_mech();
  login_cmd_ = false;
  if (st.outcome == sasl::Outcome::kSuccess) {
    std::string account = mech_->account(), username = mech_->username();
    mech_.reset();
    return logged_in(account, username, out, tag, mech);
  }
  attempt(mech, mech_->username(), mech_->attempt_account(),
          std::string(sasl::attempt_result(st.failure)));
  mech_.reset();
  if (st.failure == sasl::Failure::kBadCreds || st.failure == sasl::Failure::kBadChanBind ||
      st.failure == sasl::Failure::kOtherRole || st.failure == sasl::Failure::kOtherAccount) {
    // mox-imapd(8) "Authentication": more than 3 failures slow every further
    // attempt down.
    if (++auth_failures_ > 3) out.delay = s_.auth_delay_unit * (auth_failures_ - 3);
  }
  Refusal r = refusal(st);
  respond(out, tag, r.cond, r.code, r.text);
}

void Session::logged_in(const std::string& account, const std::string& username, Output& out,
                        const std::string& tag, const std::string& mech) {
  auto st = backend_.open_account(account);
  if (!st) {
    attempt(mech, username, account, "error");
    backend_.log_error(account + ": opening account: " + st.error().message);
    return respond(out, tag, imap::Condition::kNo, "UNAVAILABLE", "account not available");
  }
  attempt(mech, username, account, "ok");
  authenticated(account, username, std::move(*st));
  respond(out, tag, imap::Condition::kOk, "CAPABILITY " + capabilities(),
          mech == "login" ? "login done" : "authenticate done");
}

Output Session::cert_greeting() {
  Output out;
  const auth::CertLogin& c = *tls_.cert;
  if (!c.login_disabled.empty()) {
    // docs/DESIGN.md "Differences from mox": the message, not a failed
    // handshake.
    out.reply = "* BYE login disabled for account: " + c.login_disabled + "\r\n";
  } else if (auto st = backend_.open_account(c.account); !st) {
    out.reply = "* BYE [UNAVAILABLE] account not available\r\n";
  } else {
    authenticated(c.account, c.login_address, std::move(*st));
    out.reply = "* PREAUTH [CAPABILITY " + capabilities() + "] mox imap welcomes " +
                c.login_address + "\r\n";
    return out;
  }
  out.close = true;
  state_ = State::kLogout;
  return out;
}

Output Session::preauth(const std::string& account, const std::string& username,
                        std::unique_ptr<Mailstore> mailstore, std::string_view mech) {
  authenticated(account, username, std::move(mailstore));
  attempt(std::string(mech), username, account, "ok");
  Output out;
  out.reply = "* PREAUTH [CAPABILITY " + capabilities() + "] Logged in as " + account + "\r\n";
  return out;
}

void Session::authenticated(const std::string& account, const std::string& username,
                            std::unique_ptr<Mailstore> mailstore) {
  mailstore_ = std::move(mailstore);
  account_ = account;
  username_ = username;
  auth_failures_ = 0;
  state_ = State::kAuthenticated;
}

}  // namespace mox::imapserver
