// SORT's ordering (RFC 5256 §3, SORT=DISPLAY RFC 5957) over the keys stored
// per message (message/sortkeys.h): pure, no store, no session. The
// handlers of SORT and THREAD are in sortcmd.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/command.h"
#include "message/sortkeys.h"

namespace mox::imapserver {

// One message to sort.
struct SortItem {
  uint32_t seq = 0;                         // message sequence number: the last tie-breaker
  uint32_t number = 0;                      // what the response shows: seq or UID
  int64_t received = 0;                     // INTERNALDATE
  int64_t size = 0;                         // RFC822.SIZE
  const message::SortKeys* keys = nullptr;  // never null
};

// The sent date RFC 5256 §2.2 sorts by: the Date field's, else the
// internal date.
int64_t sent_date(const message::SortKeys& k, int64_t received);

// Orders `items` by `criteria`, each ascending or REVERSE, and messages
// equal in all of them by sequence number, ascending (RFC 5256 §3).
void sort_items(std::vector<SortItem>& items, const std::vector<imap::SortCriterion>& criteria);

}  // namespace mox::imapserver
