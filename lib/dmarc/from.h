// The RFC5322.From domain that DMARC evaluates (RFC 7489 §6.6.1): a
// message must have exactly one From field holding exactly one address;
// anything else cannot be evaluated and is refused (the RFC allows
// rejecting such mail, and mox does).
#pragma once

#include <string>
#include <string_view>

#include "message/header.h"
#include "util/result.h"

namespace mox::dmarc {

// The domain of the single From address of `header_section` (a message or
// just its header), lower-case in A-labels without a final dot. kPermanent:
// "no From header", "several From header fields", "message has N From
// addresses", an unparsable From field or an address without a domain name.
Result<std::string> from_domain(std::string_view header_section);
// The same of a header parsed already (message/parsed.h).
Result<std::string> from_domain(const message::Header& header);

}  // namespace mox::dmarc
