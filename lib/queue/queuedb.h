// data/queue/index.db: the outgoing queue (Msg), retired messages,
// the suppression list and hold rules (mox-queue(8) "Delivery"). Message files
// live in data/queue/msg/<dir>/<id>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "queue/sendlimit.h"
#include "util/result.h"

namespace mox::queue {

Result<db::Db> open_queue_db(const std::string& data_dir);
std::string queue_message_path(const std::string& data_dir, int64_t id);

struct QueuedSender {
  int64_t id = 0;
  std::string sender_localpart, sender_domain;
};
Result<std::vector<QueuedSender>> queued_senders(db::Db& db, const std::string& account);

// Fails every queued message of the account now (docs/DESIGN.md "Account
// removal"): each is retired as failed when `keep_retired_seconds` > 0, else
// removed; message files are deleted. Returns the number of messages failed.
Result<int64_t> fail_account_messages(db::Db& db, const std::string& data_dir,
                                      const std::string& account, const std::string& reason,
                                      int64_t keep_retired_seconds, int64_t now);
Result<int64_t> remove_account_suppressions(db::Db& db, const std::string& account);

struct QueueRecipient {
  std::string localpart, domain;
};

// A submitted message for remote recipients (mox-queue(8) "Delivery").
struct NewMessage {
  std::string sender_account, sender_localpart, sender_domain;
  std::vector<QueueRecipient> recipients;
  bool has_8bit = false, smtputf8 = false;
  std::string message_id, subject;
  std::string prefix;       // written into the file before the message (Received:, ...)
  std::string dkim_prefix;  // DKIM-Signature fields, kept as MsgPrefix, sent before the file
  int source_fd = -1;       // the spooled message, read from offset 0
  int64_t size = 0;         // of the spooled message, without prefix
  // The sender account's limits (queue/sendlimit.h), checked and counted in
  // the transaction that queues the message; nullopt: not limited.
  std::optional<SendLimits> limits;
};

struct Queued {
  std::vector<int64_t> ids;  // one per recipient; empty when refused
  // reached != kNone: the message would exceed a send limit and nothing
  // was queued or counted.
  SendLimitCheck limit;
};

// Whether `m` would exceed m.limits now (kNone without limits); what
// add_message checks, for a caller that wants to refuse early.
Result<SendLimitCheck> check_send_limits(db::Db& db, const NewMessage& m, int64_t now);

// Adds one Msg row per recipient (sharing a BaseID), each with a durable
// message file, committed only after the files are on disk. Messages that a
// hold rule matches are held (suppress.h). Wakes a running
// `mox-queue serve` (change notification on data/queue).
Result<Queued> add_message(db::Db& db, const std::string& data_dir, const NewMessage& m,
                           int64_t now);

// Wakes a running `mox-queue serve` (after adding or rescheduling mail).
Status wake_runners(const std::string& data_dir);

}  // namespace mox::queue
