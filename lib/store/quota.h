// The account's disk usage and its limit (domains.conf QuotaMessageSize,
// mox.conf QuotaMessageSize as the default).
//
// Usage is the sum of the sizes of the account's messages that are not
// expunged, kept in the DiskUsage row of index.db. Triggers on Message
// (account.cc, migration 5) update it in the transaction of every change
// to Message: delivery, APPEND, COPY, MOVE, EXPUNGE, undeliver and mailbox
// deletion; no writer can forget it. A copy counts again although it is a
// hard link to the same file, as mox counts it: the limit is on what the
// account holds, not on the file system's blocks.
//
// The limit is checked by whoever adds messages, inside the write
// transaction that adds them (deliver.cc, messages.cc copy_messages), so two
// processes adding at the same time cannot both pass the check: SQLite has
// one writer at a time, and the second one reads the usage the first one
// committed.
#pragma once

#include <cstdint>

#include "db/sqlite.h"
#include "store/account.h"
#include "util/result.h"

namespace mox::store {

// Bytes of messages the account holds now.
Result<int64_t> disk_usage(AccountStore& a);
Result<int64_t> disk_usage(db::Db& db);

// Inside the write transaction that is about to add `adding` bytes of
// messages: kOverQuota when the usage would then exceed `quota` bytes
// (0: no limit). Adding nothing (a MOVE within the account) always passes,
// also for an account already over a lowered quota; so does removing.
Status check_quota(db::Db& db, int64_t quota, int64_t adding);

}  // namespace mox::store
