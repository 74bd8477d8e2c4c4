// Client::State::authenticate: SMTP AUTH (RFC 4954) with the mechanisms of
// lib/sasl. The exchange is never logged, only the mechanism and result.
#include <sodium.h>

#include "sasl/client.h"
#include "smtpclient/internal.h"
#include "util/ascii.h"
#include "util/encoding.h"

namespace mox::smtpclient {
namespace {

bool offered(const Extensions& ext, std::string_view m) {
  for (const auto& a : ext.auth) {
    if (a == m) return true;
  }
  return false;
}

// The mechanism to use, and the credentials for it.
Result<std::string> choose(const Extensions& ext, const AuthOptions& a, bool tls,
                           sasl::ClientCredentials& creds) {
  std::string mech = ascii_upper(a.mechanism);
  if (mech.empty()) {
    std::optional<std::string> m = sasl::choose_client_mechanism(ext.auth, creds);
    if (!m) return Error{ErrorKind::kPermanent, "no supported authentication mechanism offered"};
    mech = *m;
  } else if (!offered(ext, mech)) {
    return Error{ErrorKind::kPermanent, "server does not offer mechanism " + mech};
  }
  // Never a password in the clear (RFC 4954 §4: PLAIN and LOGIN need a
  // protected channel).
  if ((mech == "PLAIN" || mech == "LOGIN") && !tls) {
    return Error{ErrorKind::kPermanent, "refusing " + mech + " without tls"};
  }
  // RFC 5802 §6: the "y" flag (client could bind) only if the server did
  // not offer -PLUS; a plain SCRAM chosen while -PLUS is offered sends "n".
  bool plus_offered = offered(ext, "SCRAM-SHA-256-PLUS") || offered(ext, "SCRAM-SHA-1-PLUS");
  bool plus = mech.size() > 5 && mech.substr(mech.size() - 5) == "-PLUS";
  if (!plus && plus_offered) creds.channel_binding.reset();
  return mech;
}

}  // namespace

std::optional<Failure> Client::State::authenticate() {
  const AuthOptions& a = *opts.auth;
  if (a.password.empty() && a.mechanism.empty() && opts.client_cert && !offered(ext, "EXTERNAL")) {
    // mox-smtpd(8) "Authentication": the TLS handshake with a registered
    // certificate already authenticated the connection.
    log("no AUTH EXTERNAL offered; relying on the tls client certificate");
    return std::nullopt;
  }
  sasl::ClientCredentials creds{a.username, a.password, a.authzid, std::nullopt};
  if (conn.tls()) {
    if (auto cb = conn.tls_exporter_channel_binding()) creds.channel_binding = *cb;
  }
  auto mech_name = choose(ext, a, conn.tls(), creds);
  if (!mech_name) return failure(Stage::kAuth, true, mech_name.error().message);
  auto mech = sasl::make_client_mechanism(*mech_name, std::move(creds));
  if (!mech) return failure(Stage::kAuth, true, mech.error().message);
  auto ir = (*mech)->start();
  if (!ir) return failure(Stage::kAuth, true, ir.error().message);

  // RFC 4954 §4: an empty initial response is sent as "=".
  std::string line = "AUTH " + *mech_name;
  if (ir->has_value()) line += " " + ((*ir)->empty() ? std::string("=") : base64_encode(**ir));
  MOX_ASSIGN(Reply r, command(Stage::kAuth, line, opts.timeouts.command));
  sodium_memzero(line.data(), line.size());
  while (r.code == 334) {
    auto challenge = base64_decode(r.lines.empty() ? "" : r.lines[0]);
    Result<std::string> resp =
        challenge ? (*mech)->next(*challenge) : Result<std::string>(challenge.error());
    if (!resp) {
      // RFC 4954 §4: "*" cancels the exchange; the server answers 501.
      if (usable) (void)command(Stage::kAuth, "*", opts.timeouts.command);
      return failure(Stage::kAuth, true, *mech_name + ": " + resp.error().message);
    }
    std::string out = base64_encode(*resp);
    sodium_memzero(resp->data(), resp->size());
    MOX_ASSIGN(r, command(Stage::kAuth, out, opts.timeouts.command));
    sodium_memzero(out.data(), out.size());
  }
  if (r.code != 235) {
    Failure f = reply_failure(Stage::kAuth, std::move(r));
    f.message = "auth " + *mech_name + ": " + f.reply->str();
    log("authentication with " + *mech_name + " failed: " + f.reply->str());
    return f;
  }
  // A SCRAM server that said 235 without proving it knows the password
  // (RFC 5802 §5: v=) is not trusted.
  if (!(*mech)->done()) {
    usable = false;
    return failure(Stage::kAuth, true, *mech_name + ": server did not complete the exchange");
  }
  auth_mechanism = *mech_name;
  log("authenticated with " + *mech_name);
  return std::nullopt;
}

}  // namespace mox::smtpclient
