// A message parsed once (docs/DESIGN.md "Incoming mail"): its top-level
// header and its MIME part tree, which the checks of an incoming message
// and the store read instead of parsing the bytes again: From, Date and
// Message-ID at submission, DKIM verification and signing, DMARC's From
// domain, the removal of forged Authentication-Results fields, and the
// FETCH forms and search text the store keeps (store/parsed.h).
//
// The server stores a message with header fields of its own in front
// (Received, Authentication-Results, Received-SPF; at submission Message-ID
// and Date), and on the MX without forged Authentication-Results fields.
// prepend() gives the structure of the stored message from that of the
// received one and the added fields alone: every offset of the received
// message moves by the length of what is added less what is dropped. The
// result is what parsing the stored bytes gives; where it might not be (the
// joined header over the limits, a first line that would continue an added
// field, an added or dropped Content-* field) prepend() says so, and the
// caller parses the stored bytes.
//
// Holds no pointer into the bytes it was parsed from. Immutable once built:
// shared between threads as shared_ptr<const Parsed>.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "message/header.h"
#include "message/mime.h"
#include "util/result.h"

namespace mox::message {

struct Parsed {
  // The top-level header, as parse_header(bytes) gives it: an error when it
  // is over the default HeaderLimits.
  Result<Header> header = Header{};
  Part root;        // parse_message(bytes)
  size_t size = 0;  // octets of the message

  // The header's fields, or null when it did not parse.
  const Header* fields() const { return header.ok() ? &header.value() : nullptr; }
};

// One pass over `message`: the top-level header is parsed once, for both.
Parsed parse(std::string_view message);

// The header of `added` (complete header fields, each ending in CRLF)
// followed by the header section `received` less its fields at the indexes
// `dropped` (ascending), with the offsets of the joined text. nullopt when
// parse_header() of the joined text might give something else: `added` is
// not complete fields, `received` begins with a line that would continue
// the last added field, or the joined header is over the default limits.
std::optional<Header> prepend_header(const Header& received, std::string_view added,
                                     const std::vector<size_t>& dropped = {});

// The structure of the message stored as `added` followed by `received`
// less its top-level fields at `dropped` (see prepend_header): what
// parse() of the stored bytes gives, or nullopt (then parse those). Also
// nullopt when the received header did not parse, or when an added or
// dropped field is a Content-* field (it would change the MIME fields).
std::optional<Parsed> prepend(const Parsed& received, std::string_view added,
                              const std::vector<size_t>& dropped = {});

}  // namespace mox::message
