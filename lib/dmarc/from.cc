#include "dmarc/from.h"

#include "dmarc/publicsuffix.h"
#include "message/address.h"
#include "message/header.h"

namespace mox::dmarc {

Result<std::string> from_domain(std::string_view header_section) {
  MOX_ASSIGN(message::Header h, message::parse_header(header_section));
  return from_domain(h);
}

Result<std::string> from_domain(const message::Header& h) {
  std::vector<const message::HeaderField*> from = h.all("From");
  if (from.empty()) return Error{ErrorKind::kPermanent, "no From header"};
  if (from.size() > 1) return Error{ErrorKind::kPermanent, "several From header fields"};
  auto addrs = message::parse_address_list(from[0]->value);
  if (!addrs) return Error{ErrorKind::kPermanent, "From header: " + addrs.error().message};
  if (addrs->size() != 1) {
    return Error{ErrorKind::kPermanent,
                 "message has " + std::to_string(addrs->size()) + " From addresses"};
  }
  std::string domain = normalize_domain((*addrs)[0].domain);
  if (domain.empty() || domain.front() == '[') {
    return Error{ErrorKind::kPermanent,
                 "From address has no domain name: \"" + (*addrs)[0].addr_spec() + "\""};
  }
  return domain;
}

}  // namespace mox::dmarc
