// Pieces shared by the client mechanism implementations; not part of the
// module's interface.
#pragma once

#include <memory>

#include "sasl/client.h"
#include "sasl/scram_core.h"

namespace mox::sasl {

std::unique_ptr<ClientMechanism> new_client_scram(ScramMechanism m, ClientCredentials creds);

}  // namespace mox::sasl
