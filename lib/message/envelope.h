// The header fields that make up an IMAP ENVELOPE (RFC 9051 §7.5.2), taken
// from a message's header when the MIME tree is parsed and kept with the
// message's Part, so that BODYSTRUCTURE of an attached message/rfc822 needs
// no second look at the bytes. Rendering is in message/fetch.h.
#pragma once

#include <optional>
#include <string>

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

}  // namespace mox::message
