// The header fields that make up an IMAP ENVELOPE (RFC 9051 §7.5.2), taken
// from a message's header when the MIME tree is parsed and kept with the
// message's Part, so that BODYSTRUCTURE of an attached message/rfc822 needs
// no second look at the bytes. Rendering is in message/fetch.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "message/address.h"
#include "message/header.h"

namespace mox::message {

// Unfolded values (HeaderField::value) of the first field of each name;
// nullopt when the field is absent.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::optional<std::string> from;
  std::optional<std::string> sender;
  std::optional<std::string> reply_to;
  std::optional<std::string> to;
  std::optional<std::string> cc;
  std::optional<std::string> bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
};

Envelope envelope_from_header(const Header& header);

// The addresses of an address field's value as ENVELOPE shows them: 8-bit
// text taken as UTF-8 or legacy, empty groups kept
// (parse_address_list_keep_groups), and an element that does not parse
// guessed at rather than dropped. Also the first address SORT orders by
// (RFC 5256 §3, RFC 5957 §3).
std::vector<Address> envelope_addresses(const std::string& value);

}  // namespace mox::message
