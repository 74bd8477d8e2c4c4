// THREAD's algorithms (RFC 5256 §4): ORDEREDSUBJECT and REFERENCES over the
// keys stored per message (message/sortkeys.h), giving the thread-list of
// the THREAD response (RFC 5256 §5), e.g. "(3 6 (4 23)(44 7 96))". Pure: no
// store, no session; sortcmd.cc has the command.
//
// Bounded: no recursion (a chain of replies may be as long as the mailbox),
// a message's references are at most message::kMaxReferences, and time is
// O(n log n) plus the loop checks, each as long as a chain of parents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "message/sortkeys.h"

namespace mox::imapserver {

// One message to thread.
struct ThreadItem {
  uint32_t seq = 0;                         // message sequence number: the tie-breaker of dates
  uint32_t number = 0;                      // what the response shows: seq or UID
  int64_t sent = 0;                         // sent date, or the internal date (sort.h sent_date)
  const message::SortKeys* keys = nullptr;  // never null
};

// RFC 5256 §4 ORDEREDSUBJECT. `items` in sequence order.
std::string thread_orderedsubject(const std::vector<ThreadItem>& items);
// RFC 5256 §4 REFERENCES. `items` in sequence order.
std::string thread_references(const std::vector<ThreadItem>& items);

}  // namespace mox::imapserver
