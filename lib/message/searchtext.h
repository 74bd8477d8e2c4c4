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
// The same with the top-level header already parsed (message/parsed.h: the
// header that parse_message gave with `root`, within its limits), so that
// it is not parsed again.
SearchText extract_search_text(std::string_view message, const Part& root,
                               const Header& root_header, const SearchLimits& limits = {});

// The header fields as the full-text index stores them: one "name: value\n"
// line per field, CR and LF inside a value turned into spaces, so that the
// lines read back with parse_header_lines() are the fields.
std::string header_lines(const std::vector<SearchField>& fields);
std::vector<SearchField> parse_header_lines(std::string_view lines);

// Case-insensitive matching as IMAP SEARCH asks (RFC 9051 §6.4.4) and as the
// index's trigram tokenizer does it: each code point mapped to its Unicode
// simple lower case (towlower of the C.UTF-8 locale; ASCII only if that
// locale is missing). Ill-formed UTF-8 becomes U+FFFD.
std::string fold_case(std::string_view utf8);
// Whether `folded_needle` (already fold_case'd) occurs in fold_case(haystack).
bool contains_folded(std::string_view haystack, std::string_view folded_needle);
// Code points in `utf8` (an ill-formed byte counts as one).
size_t code_points(std::string_view utf8);

}  // namespace mox::message
