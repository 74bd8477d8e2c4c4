// The MIME structure of a message (RFC 2045, RFC 2046): a tree of parts with
// their byte positions in the message and their parsed MIME header fields,
// which is what IMAP FETCH (ENVELOPE, BODYSTRUCTURE, BODY[section], BINARY)
// and SEARCH need (RFC 9051 §6.4.4, §6.4.5, §7.5.2).
//
// Pure: parse_message reads only the bytes it is given (e.g. a message file
// mapped with message/msgmap.h) and keeps no pointer into them; the Part tree
// owns its strings. Robust against real-world malformed mail: it never fails
// and never throws; depth, part count and header sizes are bounded, and time
// is linear in the message size times the nesting depth.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/envelope.h"
#include "message/header.h"
#include "message/mimefield.h"

namespace mox::message {

struct MimeLimits {
  // Nesting of multiparts and encapsulated messages below the top-level
  // message. A multipart past it has no parts, a message/rfc822 past it is a
  // leaf; both note a defect.
  size_t max_depth = 50;
  // Parts in the whole tree, the top-level message included. Parts past it
  // are left out (the multipart that would hold them notes a defect).
  size_t max_parts = 10000;
  // For each part's header. A part whose header is over the limit is taken
  // to have no fields (MIME defaults apply) and notes a defect.
  HeaderLimits header;
};

struct Part {
  // Positions in the message given to parse_message. The header starts at
  // `offset` and ends with the empty line (header_size counts it; a part
  // without an empty line is all header). The body follows it. For a part of
  // a multipart the line end before the next boundary is not in the body
  // (RFC 2046 §5.1.1: it belongs to the boundary).
  size_t offset = 0;
  size_t header_size = 0;
  size_t body_size = 0;   // octets: IMAP body-fld-octets
  size_t body_lines = 0;  // line feeds, plus one for a last line without one
  size_t body_offset() const { return offset + header_size; }
  size_t end() const { return offset + header_size + body_size; }

  // Content-Type with the defaults of RFC 2045 §5.2 (text/plain;
  // charset=us-ascii when absent or invalid; message/rfc822 in a
  // multipart/digest, RFC 2046 §5.1.5) and a charset=us-ascii parameter added
  // to text/* parts that have none (RFC 2046 §4.1.2).
  ContentType content_type;
  std::string encoding = "7bit";          // Content-Transfer-Encoding, lower-cased (RFC 2045 §6.1)
  std::optional<std::string> content_id;  // RFC 2045 §7
  std::optional<std::string> description;         // RFC 2045 §8, raw (encoded-words kept)
  std::optional<std::string> md5;                 // RFC 1864 Content-MD5
  std::optional<std::string> location;            // RFC 2557 Content-Location
  std::optional<ContentDisposition> disposition;  // RFC 2183
  std::vector<std::string> languages;             // RFC 3282 Content-Language

  // Set for messages: the top-level one and each encapsulated one.
  std::optional<Envelope> envelope;

  // A multipart's body parts in order; for a message/rfc822 or
  // message/global part, the one message it encapsulates (whose own Part has
  // an envelope); empty for other parts.
  std::vector<Part> parts;

  // What was wrong and worked around, for tests and logs.
  std::vector<std::string> defects;

  bool is_multipart() const { return content_type.type == "multipart"; }
  // message/rfc822 or message/global with its encapsulated message parsed
  // (not when it has a transfer encoding, or at the depth limit).
  bool is_encapsulating() const { return !is_multipart() && !parts.empty(); }
  // The charset parameter (us-ascii for text/* by default), or "".
  std::string_view charset() const;
};

// Parses `message` (CRLF or bare LF line ends) into its part tree. The
// returned root is the message itself (with an envelope). With
// `root_header`, the top-level header as parse_header(message,
// limits.header) gives it is stored there too (message/parsed.h), so that it
// need not be parsed a second time.
Part parse_message(std::string_view message, const MimeLimits& limits = {},
                   Result<Header>* root_header = nullptr);

}  // namespace mox::message
