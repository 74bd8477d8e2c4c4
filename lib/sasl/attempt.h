// Glue between a SASL exchange and its login attempt (docs/DESIGN.md "Login
// attempts").
#pragma once

#include "auth/attempt.h"
#include "sasl/sasl.h"

namespace mox::sasl {

// Sets mechanism, login address, account and result of b from a finished
// exchange (f: the failure of its last step, kNone for success).
void describe_attempt(auth::AttemptBuilder& b, const Mechanism& m, Failure f);

}  // namespace mox::sasl
