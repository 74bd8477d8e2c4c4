#include "sasl/attempt.h"

namespace mox::sasl {

void describe_attempt(auth::AttemptBuilder& b, const Mechanism& m, Failure f) {
  b.mechanism(m.attempt_mech())
      .login_address(m.username())
      .account(m.attempt_account())
      .result(attempt_result(f));
}

}  // namespace mox::sasl
