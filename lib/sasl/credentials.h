// The credential lookup the SASL mechanisms need, as an interface: the real
// one (auth::AccountCredentials, over the config and the account stores) is
// injected by the servers; tests inject a fake. This header is deliberately
// free of anything but the types it names, so lib/auth can implement it
// without lib/sasl's mechanisms.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sasl/secrets.h"
#include "util/result.h"

namespace mox::sasl {

// What a credential lookup yields for a username.
struct AuthUser {
  std::string account;        // the account the username resolves to
  std::string login_address;  // the username as given, normalised (domain lower-cased)
  // The stored secrets (never the password); nullopt if the account has no
  // password set, in which case PLAIN, LOGIN and CRAM-MD5 fail as bad
  // credentials and SCRAM with kScramNotPossible.
  std::optional<PasswordSecrets> password;
  std::string login_disabled;  // non-empty: logins refused, with this message
};

class Credentials {
 public:
  virtual ~Credentials() = default;
  // Looks up a username (an email address) as typed by the client.
  // Errors: kNotFound for an unknown or unusable username (the mechanisms
  // report it as bad credentials, like a wrong password); any other kind
  // (kInternal, kTemporary) becomes Failure::kError.
  virtual Result<AuthUser> lookup(std::string_view username) = 0;
};

}  // namespace mox::sasl
