// Per-account limits on outgoing mail, so that one stolen password cannot
// spend the server's reputation (domains.conf MaxOutgoingMessagesPerDay and
// MaxFirstTimeRecipientsPerDay, with mox's defaults of 1000 and 200).
//
// What counts, as mox counts it: each remote recipient of a submitted
// message is one outgoing message (the queue holds one per recipient), over
// a sliding window of 24 hours; and a first-time recipient is a remote
// address the account never submitted mail to before, counted on the day
// it was first sent to. Local recipients are delivered at once and not
// counted. A message that would take the account over either limit is
// refused as a whole, and nothing of it is counted.
//
// Storage, in data/queue/index.db beside the queue (so that the check, the
// count and the queueing are one write transaction, queue/queuedb.h
// add_message): Outgoing, a row per counted recipient, kept 24 hours; and
// OutgoingRecipient, a row per account and address ever sent to, with the
// time of the first message.
//
// Thread- and process-safety: as db::Db; call these inside a
// transaction (db::Tx) when a check and a record must not interleave
// with another process's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/types.h"
#include "db/sqlite.h"
#include "util/result.h"

namespace mox::queue {

inline constexpr int64_t kDefaultMaxOutgoingMessagesPerDay = 1000;
inline constexpr int64_t kDefaultMaxFirstTimeRecipientsPerDay = 200;
inline constexpr int64_t kSendLimitWindow = 24 * 60 * 60;  // seconds

struct SendLimits {
  int64_t messages_per_day = kDefaultMaxOutgoingMessagesPerDay;
  int64_t first_time_recipients_per_day = kDefaultMaxFirstTimeRecipientsPerDay;
};
// The effective limits of an account (0 in domains.conf: the default).
SendLimits send_limits(const config::Account& a);

enum class SendLimit { kNone, kMessages, kFirstTimeRecipients };
struct SendLimitCheck {
  SendLimit reached = SendLimit::kNone;
  int64_t limit = 0;  // the limit reached
  int64_t count = 0;  // what the account would reach with this message
};

// Whether `account` may submit a message to the remote `recipients`
// ("localpart@domain") at `now`.
Result<SendLimitCheck> check_send_limits(db::Db& db, const std::string& account,
                                         const std::vector<std::string>& recipients,
                                         const SendLimits& limits, int64_t now);
// Counts a message of `account` to `recipients`, and forgets the
// account's counts older than 24 hours.
Status record_outgoing(db::Db& db, const std::string& account,
                       const std::vector<std::string>& recipients, int64_t now);
// Forgets all of an account's outgoing mail (account removal); returns the
// rows deleted.
Result<int64_t> remove_account_outgoing(db::Db& db, const std::string& account);

}  // namespace mox::queue
