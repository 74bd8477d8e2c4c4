// A one-line, human-readable rendering of a parsed Command for logs and
// tests. Secrets are never shown: the LOGIN password and
// the AUTHENTICATE initial response appear as "<redacted>"; APPEND message
// data only as its size.
#pragma once

#include <string>

#include "imap/command.h"

namespace mox::imap {

// E.g. `A1 UID FETCH set=1:* atts=[UID FLAGS BODY.PEEK[HEADER.FIELDS (From)]]`,
// `a UID SEARCH charset=UTF-8 keys=[OR(SUBJECT "x" FROM "abc")]`.
std::string describe(const Command& cmd);
// A search key: `OR(SUBJECT "x" NOT(SEEN))`, `SINCE 2024-02-01`, `SEQ 1:3`.
std::string describe(const SearchKey& key);

}  // namespace mox::imap
