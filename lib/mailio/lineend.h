// Line ends of imported messages. Stored messages have CRLF line ends
// (RFC 5322 §2.1, as SMTP DATA and IMAP APPEND deliver them); mbox files
// and most Maildirs have LF. Bare CR stays as it is.
#pragma once

#include <string>
#include <string_view>

namespace mox::mailio {

// Appends `text` to `out` with every LF that has no CR before it (in
// `text`, or as the last byte of `out`) made CRLF.
void append_crlf(std::string& out, std::string_view text);

// Whether `line` (no line end) is a header field line "name: ...": a name of
// printable ASCII other than ':' (RFC 5322 §2.2), then ':'.
bool is_header_field_line(std::string_view line);

}  // namespace mox::mailio
