// Body sections for IMAP FETCH BODY[...] (RFC 9051 §6.4.5, RFC 3501 §6.4.5)
// and BINARY[...] / BINARY.SIZE[...] (RFC 3516, RFC 9051 §6.4.5), over the
// message bytes and the Part tree parse_message made of them. No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "message/mime.h"
#include "util/result.h"

namespace mox::message {

// section-spec = section-msgtext / (section-part ["." section-text])
struct SectionSpec {
  enum class Text {
    kAll,              // "" (the whole message) or "1.2" (the part's body)
    kHeader,           // HEADER
    kHeaderFields,     // HEADER.FIELDS (fields)
    kHeaderFieldsNot,  // HEADER.FIELDS.NOT (fields)
    kText,             // TEXT
    kMime,             // MIME (only after part numbers)
  };
  std::vector<uint32_t> part;  // section-part: nz-numbers; empty for the message
  Text text = Text::kAll;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT] names, as given
};

// Parses the text between "[" and "]", e.g. "", "TEXT", "1.2.MIME",
// "HEADER.FIELDS (From \"To\")" (keywords case-insensitive; field names are
// atoms or quoted strings: a command parser that met a literal builds the
// SectionSpec itself). kSyntax error for anything else.
Result<SectionSpec> parse_section_spec(std::string_view spec);

// The part that the part numbers name (RFC 9051 §6.4.5: a message that is
// not multipart has just part 1, its body; the numbers after a message/rfc822
// part name parts of the message it encapsulates), or nullptr if none does.
// For an empty path, the root.
const Part* find_part(const Part& root, const std::vector<uint32_t>& path);

// The octets of a section of `message` (from which `root` was parsed):
//  - ""            the whole message
//  - HEADER, TEXT  the message's header (with its empty line) or body
//  - HEADER.FIELDS (A B), HEADER.FIELDS.NOT (A B): the header fields named
//    (or all others), matched case-insensitively, in message order, as
//    written (folded lines kept), followed by an empty line "\r\n"
//  - 1.2           the body of part 1.2, not transfer-decoded
//  - 1.2.MIME      the header of part 1.2
//  - 1.2.HEADER, 1.2.TEXT, 1.2.HEADER.FIELDS...: of the message that part
//    1.2 encapsulates (message/rfc822); for another kind of part, of the
//    part itself (lenient, as mox is)
// A part that does not exist gives "" (as Dovecot and Cyrus answer).
// <partial> is left to the caller: see partial() below.
std::string section(std::string_view message, const Part& root, const SectionSpec& spec);
// The same, parsing `spec` first (kSyntax error if it does not parse).
Result<std::string> section(std::string_view message, const Part& root, std::string_view spec);

// The <offset.count> partial of RFC 9051 §6.4.5: at most `count` octets from
// `offset`; empty when `offset` is past the end.
std::string_view partial(std::string_view data, uint64_t offset, uint64_t count);

// BINARY[path]: the content of a part with its Content-Transfer-Encoding
// undone (RFC 3516 §4.2). An empty path is the whole message; for a message
// that is not multipart, its header without Content-Transfer-Encoding and its
// decoded body (as mox does). A multipart or message/rfc822 part gives its
// content whole, as BODY[path] does (as Dovecot answers). A part that does
// not exist gives "". Errors: kPermanent for an unknown encoding (reply NO
// [UNKNOWN-CTE], RFC 9051 §7.1).
Result<std::string> binary(std::string_view message, const Part& root,
                           const std::vector<uint32_t>& path);
// BINARY.SIZE[path]: the size of what binary() gives; same errors.
Result<size_t> binary_size(std::string_view message, const Part& root,
                           const std::vector<uint32_t>& path);

}  // namespace mox::message
