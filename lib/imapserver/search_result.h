// Internal to lib/imapserver: the ESEARCH response (RFC 4731 §3.1,
// RFC 9051 §7.3.4) as SEARCH, ESEARCH (MULTISEARCH RFC 7377 §2) and SORT's
// ESORT (RFC 5267 §3) write it: the correlator, then the result items that
// the RETURN options (imap::SearchArgs) ask for, and the ADDTO/REMOVEFROM
// updates of CONTEXT=SEARCH (RFC 5267 §4.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/command.h"

namespace mox::imapserver {

// "* ESEARCH (TAG "t")", with MAILBOX and UIDVALIDITY for MULTISEARCH
// (RFC 7377 §2), then " UID" when the numbers are UIDs. No line end.
struct EsearchHead {
  std::string tag;
  bool uid = false;
  std::optional<std::string> mailbox;  // UTF-8 as stored
  uint32_t uidvalidity = 0;
  bool utf8 = false;  // how the mailbox name is written (imap/writer.h)
};
std::string esearch_head(const EsearchHead& h);

// The result items for `hits` (ascending numbers; for ESORT in sort order,
// `sorted`): MIN, MAX, ALL, COUNT and PARTIAL as `returns` and `partial`
// ask; RETURN () means ALL. Each item starts with a space; "" when there is
// nothing to say (e.g. only UPDATE, or MIN of no messages).
std::string esearch_items(const std::vector<uint32_t>& hits,
                          const std::vector<imap::SearchReturn>& returns,
                          const std::optional<imap::PartialRange>& partial, bool sorted);

// The messages at positions `partial` of `hits` (RFC 9394 §3.1), in the
// order of `hits`.
std::vector<uint32_t> partial_hits(const std::vector<uint32_t>& hits,
                                   const imap::PartialRange& partial);

// The numbers as a sequence set in their order: ascending runs as "a:b"
// ("1:3,7,5"); for unsorted results imap::sequence_set_string.
std::string ordered_set_string(const std::vector<uint32_t>& numbers);

// " ADDTO (pos set)" or " REMOVEFROM (pos set)" (RFC 5267 §4.3): `position`
// is 0 for a SEARCH result, whose order is no order.
std::string context_update_item(bool add, uint32_t position, std::string_view set);

}  // namespace mox::imapserver
