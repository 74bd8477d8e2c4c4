// Pieces shared by the mechanism implementations; not part of the module's
// interface.
#pragma once

#include <memory>
#include <string_view>

#include "sasl/sasl.h"
#include "sasl/scram_core.h"

namespace mox::sasl {

std::unique_ptr<Mechanism> new_plain(const Context& ctx);
std::unique_ptr<Mechanism> new_login(const Context& ctx);
std::unique_ptr<Mechanism> new_cram_md5(const Context& ctx);
std::unique_ptr<Mechanism> new_scram(const Context& ctx, ScramMechanism m);
std::unique_ptr<Mechanism> new_external(const Context& ctx);

// Base of PLAIN and LOGIN: both end with a username and a password checked
// against the stored SCRAM secret (verify_plain).
class PasswordMechanism : public Mechanism {
 protected:
  using Mechanism::Mechanism;
  Step check_password(std::string_view username, std::string_view password);
};

// ASCII case-insensitive comparison (mechanism names are ASCII, RFC 4422 §3.1).
bool iequals(std::string_view a, std::string_view b);

// The message of kBadCreds, the same for an unknown user and a wrong password.
inline constexpr std::string_view kBadCredsMessage = "bad credentials";

}  // namespace mox::sasl
