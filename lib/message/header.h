// The header section of an Internet message (RFC 5322 §2.2, §3.6): fields
// with their raw and unfolded values and their byte positions. Used for a
// message and, later, for each MIME part's header (offsets are relative to
// the start of the input, so a MIME parser adds the part's own offset).
//
// Tolerant of real-world junk: lines that are not fields are skipped and
// listed as defects, 8-bit bytes and NULs are kept as they are, bare LF is
// accepted as a line end. Bounded: limits on the section size and the number
// of fields; linear time. Never throws, never aborts on input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::message {

// RFC 5322 §3.6.8 field-name: ftext = %d33-57 / %d59-126, at least one.
bool valid_field_name(std::string_view name);

struct HeaderLimits {
  // Bytes of the header section, including the empty line that ends it. A
  // larger header is an error (kPermanent): e.g. SMTP 552 5.3.4.
  size_t max_size = 256 * 1024;
  // Fields; more is an error (kPermanent).
  size_t max_fields = 1000;
};

struct HeaderField {
  std::string name;       // as written, without white space before the colon (RFC 5322 §4.5.3)
  std::string raw_value;  // after the colon to the end of the field: folds kept, final line end not
  std::string value;      // unfolded (RFC 5322 §2.2.3), leading and trailing white space removed
  size_t offset = 0;      // of the field's first byte in the input
  size_t length = 0;      // bytes of the field, including its final line end

  // Field names are case-insensitive (RFC 5322 §1.2.2).
  bool is(std::string_view field_name) const;
};

struct HeaderDefect {
  size_t offset = 0;  // of the offending line
  std::string what;
};

struct Header {
  std::vector<HeaderField> fields;    // in message order
  std::vector<HeaderDefect> defects;  // skipped lines
  size_t size = 0;                    // bytes of the section incl. the empty line: the body offset
  bool has_separator = false;         // false: the input ended inside the header

  const HeaderField* first(std::string_view name) const;  // nullptr if absent
  std::vector<const HeaderField*> all(std::string_view name) const;
  size_t count(std::string_view name) const;
};

// Parses the header section at the start of `message` (the rest, if any, is
// the body and is not looked at past the empty line).
Result<Header> parse_header(std::string_view message, const HeaderLimits& limits = {});

// Reads just the header section of the message that starts at `offset` in
// `fd` (e.g. a spooled DATA file), with pread in chunks: never more than
// limits.max_size + one chunk of memory, whatever the message size.
Result<Header> read_header(int fd, int64_t offset, const HeaderLimits& limits = {});

}  // namespace mox::message
