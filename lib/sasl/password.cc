// Password verification shared by PLAIN and LOGIN.
#include "sasl/internal.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

// A fixed secret to verify against when the user is unknown or has no
// password, so that the reply takes as long as for a wrong password and does
// not tell which usernames exist.
const ScramSecret& dummy_secret() {
  static const ScramSecret s = scram_derive(ScramHash::kSha256, "not a password",
                                            std::string(kSaltSize, 'x'), kScramSha256Iterations);
  return s;
}

// PLAIN and LOGIN are checked against the SCRAM-SHA-256 secret; accounts that
// only have a usable SCRAM-SHA-1 secret fall back to that.
bool verify(const PasswordSecrets& secrets, std::string_view password) {
  for (ScramHash h : {ScramHash::kSha256, ScramHash::kSha1}) {
    const ScramSecret& s = scram_secret_for(secrets, h);
    if (scram_secret_usable(h, s)) return verify_plain(s, h, password);
  }
  verify_plain(dummy_secret(), ScramHash::kSha256, password);
  return false;
}

}  // namespace

Step PasswordMechanism::check_password(std::string_view username, std::string_view password) {
  Result<AuthUser> u = lookup(username);
  if (!u.ok()) {
    if (u.error().kind == ErrorKind::kNotFound) {
      verify_plain(dummy_secret(), ScramHash::kSha256, password);
    }
    return lookup_failed(u.error());
  }
  if (!u->password || !verify(*u->password, password)) {
    if (!u->password) verify_plain(dummy_secret(), ScramHash::kSha256, password);
    return fail(Failure::kBadCreds, std::string(kBadCredsMessage));
  }
  if (std::optional<Step> refused = refuse(*u)) return *refused;
  return succeed(*u);
}

}  // namespace mox::sasl
