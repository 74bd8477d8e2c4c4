// The header fields in which mbox writers keep a message's flags, read into
// IMAP flag names on import and removed from the stored message:
//   Status:  R \Seen; O "old" (seen by a reader as present; not \Recent,
//            which the store does not import anyway)
//   X-Status: A \Answered, F \Flagged, T \Draft, D \Deleted
//   X-Keywords: keywords separated by commas and/or spaces (Dovecot, mutt)
//   X-Mozilla-Status: hexadecimal bits of Thunderbird: 0x1 \Seen,
//            0x2 \Answered, 0x4 \Flagged, 0x8 \Deleted (expunged, not yet
//            compacted), 0x1000 $Forwarded
//   X-Mozilla-Status2: other Thunderbird bits (none imported)
//   X-Mozilla-Keys: Thunderbird's keywords, separated by spaces
// Also removed, being the mbox writer's own bookkeeping: X-UID, X-IMAP,
// X-IMAPbase (UW IMAP, Dovecot) and Content-Length when it framed the
// message (mailio/mboxread.h). Names compare case-insensitively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mox::mailio {

// Whether a field of this name is removed on import (Content-Length not
// included: the reader decides).
bool is_mbox_flag_field(std::string_view name);

// Adds to `flags` (no duplicates) what field `name` with `value`
// (unfolded, line ends removed) says.
void add_field_flags(std::string_view name, std::string_view value,
                     std::vector<std::string>& flags);

}  // namespace mox::mailio
