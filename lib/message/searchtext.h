// The text of a message that IMAP SEARCH looks at (RFC 9051 §6.4.4: HEADER,
// FROM, SUBJECT, BODY, TEXT...), decoded to UTF-8, for a full-text index
// (SQLite FTS5) and for a linear scan alike, so that both find the same.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "message/mime.h"

namespace mox::message {

struct SearchLimits {
  size_t max_header_bytes = 256 * 1024;     // of decoded header values, all fields together
  size_t max_body_bytes = 4 * 1024 * 1024;  // of decoded body text
};

struct SearchField {
  std::string name;   // lower-cased
  std::string value;  // unfolded, RFC 2047 encoded-words decoded, valid UTF-8
};

struct SearchText {
  // The top-level message's header fields, in order. Values of undeclared
  // 8-bit charset that are not UTF-8 are taken as windows-1252.
  std::vector<SearchField> headers;
  // The text/* parts (HTML tags and all), transfer-decoded and converted to
  // UTF-8 from their charset, in message order, each ended by "\n"; for an
  // attached message (message/rfc822), its From, To, Cc, Bcc, Date and
  // Subject lines come before its text. Valid UTF-8.
  std::string body;
  bool truncated = false;  // a limit cut the text short
};

// `root` is parse_message(message).
SearchText extract_search_text(std::string_view message, const Part& root,
                               const SearchLimits& limits = {});

}  // namespace mox::message
