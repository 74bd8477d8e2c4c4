// The header section of a queued message, for DSNs (RFC 3464 §2:
// text/rfc822-headers), without the blank line that ends it; "" when the
// file cannot be read.
#pragma once

#include <cstdint>
#include <string>

namespace mox::queue {

std::string original_header(const std::string& data_dir, int64_t id);

}  // namespace mox::queue
