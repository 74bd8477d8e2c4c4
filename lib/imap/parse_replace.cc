// REPLACE arguments (RFC 8508 §3).
#include "imap/parse_internal.h"

namespace mox::imap::internal {

// replace = "REPLACE" SP seq-number SP mailbox append-message; with UID the
// number is a UID (RFC 8508 §6). Neither "*" nor "$" name one message here.
Result<Args> parse_replace(Cursor& c, const ParseOptions& o, bool) {
  ReplaceArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.number, c.nz_number());
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.message, append_message(c));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
