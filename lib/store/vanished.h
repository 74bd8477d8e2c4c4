// What is left of expunged messages: their rows leave Message (and their
// search text MessageText) in the transaction of the expunge, so that
// SELECT and every other walk of a mailbox cost the same after a million
// expunges as before the first. What QRESYNC and CONDSTORE still need of
// them (RFC 7162 §3.2.5.2 VANISHED (EARLIER) on SELECT, §3.2.6 FETCH
// VANISHED, and the untagged VANISHED of a session) is kept per mailbox in
// table ExpungedUID: ranges FirstUID..LastUID of expunged UIDs, each with
// the modseq of the expunge that made it (account.cc migration 12).
//
// An expunge adds one range per run of its UIDs that no live message
// interrupts. When a mailbox holds more than kExpungedRangesKept ranges,
// all but the newest half are merged with their neighbours in UID order
// where no live message lies between them, each merge taking the higher
// modseq: a client asking for the UIDs expunged after an old modseq then
// gets a superset (UIDs expunged before it, or never used), as RFC 7162
// §3.2.5.2 allows, but never the UID of a message that is still there.
// The table stays bounded by the newest ranges plus one per stretch of
// live messages.
//
// The message files are removed by the callers after the commit, as before
// (store/messages.h expunge()).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::store {

// Ranges a mailbox keeps before older ones are merged (see above).
inline constexpr int64_t kExpungedRangesKept = 256;

struct ExpungedRow {
  int64_t uid = 0, id = 0;  // Message.UID, Message.ID
};

// Inside a write transaction: deletes the rows of `rows` (messages of
// mailbox `mailbox_id`) and their search text, and records their UIDs as
// expunged at `modseq`. The DiskUsage triggers (account.cc migration 5)
// take their sizes off the account's usage.
Status remove_messages(db::Db& db, int64_t mailbox_id, const std::vector<ExpungedRow>& rows,
                       int64_t modseq);

// Inside a write transaction: records `uids` of mailbox `mailbox_id`, whose
// rows have left it, as expunged at `modseq`.
Status record_expunged(db::Db& db, int64_t mailbox_id, std::vector<int64_t> uids, int64_t modseq);

// The UIDs of mailbox `mailbox_id` expunged after `modseq`, ascending: a
// superset for a modseq older than the merged ranges (see above).
Result<std::vector<int64_t>> expunged_since(db::Db& db, int64_t mailbox_id, int64_t modseq);

// Inside a write transaction: forgets the expunged UIDs of a mailbox that
// is being deleted.
Status forget_expunged(db::Db& db, int64_t mailbox_id);

}  // namespace mox::store
