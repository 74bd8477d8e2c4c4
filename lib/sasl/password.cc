// Password verification shared by PLAIN and LOGIN.
#include "auth/password.h"

#include "auth/record.h"
#include "sasl/internal.h"

namespace mox::sasl {
namespace {

// A fixed secret to verify against when the user is unknown or has no
// password, so that the reply takes as long as for a wrong password and does
// not tell which usernames exist.
const auth::ScramSecret& dummy_secret() {
  static const auth::ScramSecret s =
      auth::scram_derive(auth::ScramHash::kSha256, "not a password",
                         std::string(auth::kSaltSize, 'x'), auth::kScramSha256Iterations);
  return s;
}

// PLAIN and LOGIN are checked against the SCRAM-SHA-256 secret; records that
// only have a usable SCRAM-SHA-1 secret fall back to that.
bool verify(const store::PasswordRecord& r, std::string_view password) {
  for (auth::ScramHash h : {auth::ScramHash::kSha256, auth::ScramHash::kSha1}) {
    const auth::ScramSecret s = auth::scram_secret(r, h);
    if (auth::scram_secret_usable(h, s)) return auth::verify_plain(s, h, password);
  }
  auth::verify_plain(dummy_secret(), auth::ScramHash::kSha256, password);
  return false;
}

}  // namespace

Step PasswordMechanism::check_password(std::string_view username, std::string_view password) {
  Result<AuthUser> u = lookup(username);
  if (!u.ok()) {
    if (u.error().kind == ErrorKind::kNotFound) {
      auth::verify_plain(dummy_secret(), auth::ScramHash::kSha256, password);
    }
    return lookup_failed(u.error());
  }
  if (!u->password || !verify(*u->password, password)) {
    if (!u->password) auth::verify_plain(dummy_secret(), auth::ScramHash::kSha256, password);
    return fail(Failure::kBadCreds, std::string(kBadCredsMessage));
  }
  if (std::optional<Step> refused = refuse(*u)) return *refused;
  return succeed(*u);
}

}  // namespace mox::sasl
