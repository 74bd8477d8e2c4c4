// The date of an mbox "From " line (RFC 4155 §2: "From ", the envelope
// sender, then a timestamp in the UNIX asctime(3) form), the INTERNALDATE of
// the imported message.
//
// Accepted as mutt, Thunderbird, Postfix and procmail write it:
//   From alice@example.org Mon Jan  1 12:00:00 2024
//   From - Mon Jan 01 12:00:00 2024             (Thunderbird)
//   From alice@example.org Mon Jan  1 12:00:00 2024 +0100
//   From alice@example.org Mon Jan  1 12:00:00 CET 2024
//   From alice@example.org Mon Jan  1 12:00 2024 (no seconds)
// The weekday may be missing; it is not checked against the date. A numeric
// zone (+hhmm) or UT, UTC, GMT, Z and the US zones of RFC 5322 §4.3 are
// applied; without a zone, or with another name, the time is taken as UTC
// (asctime writes local time, which the file does not record; mox-config
// export writes UTC).
#pragma once

#include <cstdint>
#include <string_view>

namespace mox::mailio {

// The time of `line` (the whole line, "From " included, line end optional)
// in seconds since the epoch, or 0 when it holds no date of the forms above.
int64_t from_line_time(std::string_view line);

}  // namespace mox::mailio
