// The administrator's operations of mox-queue that need the configuration
// (mox-queue(8) "Verbs"): fail (give up now, with a DSN to the sender, which
// says the administrator canceled delivery) and drop (remove without a DSN).
// Both keep the message as retired for the account's KeepRetiredMessagePeriod.
#pragma once

#include <cstdint>

#include "config/config.h"
#include "db/sqlite.h"
#include "queue/msg.h"
#include "util/result.h"

namespace mox::queue {

// Returns how many messages were failed / dropped.
Result<int64_t> fail_messages(db::Db& db, const config::Config& cfg, const Filter& f, int64_t now);
Result<int64_t> drop_messages(db::Db& db, const config::Config& cfg, const Filter& f, int64_t now);

// Seconds that retired messages of `account` are kept (7 days for accounts
// no longer in the config).
int64_t keep_retired_seconds(const config::Config& cfg, const std::string& account);

}  // namespace mox::queue
