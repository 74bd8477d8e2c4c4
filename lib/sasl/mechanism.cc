// The Mechanism base class, the factory and the attempt-result table.
#include <cctype>

#include "sasl/internal.h"

namespace mox::sasl {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// ---- Mechanism --------------------------------------------------------------

Step Mechanism::start(std::optional<std::string_view> initial_response) {
  if (phase_ != Phase::kNew) return finish(fail(Failure::kError, "sasl: start out of order"));
  phase_ = Phase::kStarted;
  if (initial_response && initial_response->size() > kMaxResponseSize) {
    return finish(fail(Failure::kSyntax, "response too long"));
  }
  return finish(on_start(initial_response));
}

Step Mechanism::next(std::string_view response) {
  if (phase_ != Phase::kStarted) return finish(fail(Failure::kError, "sasl: next out of order"));
  if (response.size() > kMaxResponseSize) {
    return finish(fail(Failure::kSyntax, "response too long"));
  }
  return finish(on_next(response));
}

Step Mechanism::abort() {
  account_.clear();
  return finish(fail(Failure::kAborted, "authentication aborted by client"));
}

Step Mechanism::finish(Step s) {
  if (s.outcome != Outcome::kContinue) phase_ = Phase::kDone;
  if (s.outcome == Outcome::kFailure) account_.clear();
  return s;
}

std::string Mechanism::attempt_mech() const {
  std::string out(name());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Step Mechanism::challenge(std::string bytes) {
  return Step{Outcome::kContinue, std::move(bytes), Failure::kNone, {}};
}

Step Mechanism::fail(Failure f, std::string message) {
  return Step{Outcome::kFailure, {}, f, std::move(message)};
}

Result<AuthUser> Mechanism::lookup(std::string_view username) {
  std::string copy(username);  // username may point into username_
  username_ = copy;
  Result<AuthUser> u = ctx_.creds->lookup(copy);
  if (u.ok()) attempt_account_ = u->account;
  return u;
}

Step Mechanism::lookup_failed(const Error& e) {
  if (e.kind == ErrorKind::kNotFound)
    return fail(Failure::kBadCreds, std::string(kBadCredsMessage));
  return fail(Failure::kError, "error looking up credentials");
}

std::optional<Step> Mechanism::refuse(const AuthUser& u) const {
  // mox-imapd(8) "TLS client certificates": after certificate authentication,
  // other mechanisms may only name the same account.
  if (ctx_.tls_cert_account && u.account != *ctx_.tls_cert_account) {
    return fail(Failure::kOtherAccount,
                "authentication failed, credentials belong to another account than the tls "
                "client certificate");
  }
  // domains.conf(5) LoginDisabled: checked only now, after the credentials were
  // verified.
  if (!u.login_disabled.empty()) {
    return fail(Failure::kLoginDisabled, "login disabled for account: " + u.login_disabled);
  }
  return std::nullopt;
}

Step Mechanism::succeed(const AuthUser& u) {
  account_ = u.account;
  attempt_account_ = u.account;
  return Step{Outcome::kSuccess, {}, Failure::kNone, {}};
}

// ---- Factory and tables -----------------------------------------------------

Result<std::unique_ptr<Mechanism>> make_mechanism(std::string_view name, const Context& ctx) {
  if (ctx.creds == nullptr) return internal_error("sasl: no credentials lookup");
  if (iequals(name, "PLAIN")) return new_plain(ctx);
  if (iequals(name, "LOGIN")) return new_login(ctx);
  if (iequals(name, "CRAM-MD5")) return new_cram_md5(ctx);
  if (iequals(name, "EXTERNAL")) return new_external(ctx);
  if (std::optional<ScramMechanism> m = parse_scram_mechanism(name)) {
    return new_scram(ctx, *m);
  }
  return user_error("method not supported");
}

std::vector<std::string> server_mechanisms(const Context& ctx, bool allow_plaintext) {
  std::vector<std::string> out;
  if (ctx.tls && ctx.tls_cert_account) out.push_back("EXTERNAL");
  const bool plus = ctx.channel_binding.has_value();
  if (plus) out.push_back("SCRAM-SHA-256-PLUS");
  out.push_back("SCRAM-SHA-256");
  if (plus) out.push_back("SCRAM-SHA-1-PLUS");
  out.push_back("SCRAM-SHA-1");
  out.push_back("CRAM-MD5");
  if (allow_plaintext) {
    out.push_back("PLAIN");
    out.push_back("LOGIN");
  }
  return out;
}

bool sends_plaintext_password(std::string_view name) {
  return iequals(name, "PLAIN") || iequals(name, "LOGIN");
}

std::string_view attempt_result(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "ok";
    case Failure::kBadCreds:
    case Failure::kNoCert:
    case Failure::kOtherAccount:
    case Failure::kOtherRole:
      return "badcreds";
    case Failure::kBadChanBind:
      return "badchanbind";
    case Failure::kAborted:
      return "aborted";
    case Failure::kSyntax:
    case Failure::kNoTLS:
      return "badprotocol";
    case Failure::kLoginDisabled:
      return "logindisabled";
    case Failure::kScramNotPossible:
    case Failure::kError:
      return "error";
  }
  return "error";
}

}  // namespace mox::sasl
