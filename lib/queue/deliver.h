// Delivering queued messages (mox-queue(8) "Delivery"): lease what is due,
// find the recipient domain's mail servers, hand the message over with
// SMTP, and record per recipient: delivered (retired), temporary failure
// (retry on the schedule of schedule.h, a "delayed" DSN after the 5th) or
// permanent failure (DSN to the sender's Inbox, suppression of addresses
// that do not exist).
//
// Several runners (`mox-queue run` from cron while `mox-queue serve` runs)
// may work at once: a runner leases messages (LeaseOwner/LeaseUntil, in one
// write transaction) before it delivers them, so no message is delivered
// by two runners. Each transaction's outcomes are committed as soon as the
// remote server has answered, before its connection carries the next
// message. A runner that dies leaves its lease to expire (or to be taken
// back, see run_due); the messages it had not recorded are then tried
// again, so a crash loses nothing and repeats at most the transactions in
// flight, one per connection (`parallel` at most).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "db/sqlite.h"
#include "dns/resolver.h"
#include "smtpclient/client.h"
#include "util/clock.h"
#include "util/result.h"

namespace mox::queue {

inline constexpr int64_t kLeaseSeconds = 3600;  // longer than any attempt with RFC 5321 timeouts

struct RunEnv {
  std::shared_ptr<const config::Config> config;
  dns::Resolver* resolver = nullptr;
  Clock now;          // util/clock.h; tests pass their own
  std::string owner;  // lease owner, unique per runner
  std::function<void(const std::string&)> log;
  smtpclient::Timeouts timeouts;   // RFC 5321 defaults; tests shorten them
  int64_t batch = 200;             // messages leased at a time
  int parallel = 8;                // connections at once, over all domains
  int connections_per_domain = 4;  // a domain with many messages gets up to this many
  bool cleanup = true;             // first purge expired retired messages and orphan files
};

struct RunStats {
  int64_t delivered = 0, failed = 0, retried = 0;
  int64_t attempted() const { return delivered + failed + retried; }
};

// Delivers everything due now, batch after batch, until nothing due is left
// unleased; first takes back the leases of dead runners on this host.
// Delivery threads share `db`, one at a time. Errors only for the queue
// database itself (after which no more deliveries start); delivery
// failures are recorded per message.
Result<RunStats> run_due(db::Db& db, const RunEnv& env);

// When the next attempt of a message that is neither held nor leased by a
// live runner is due; nullopt when there is none.
Result<std::optional<int64_t>> next_due(db::Db& db, int64_t now);

// A unique lease owner name: "host:pid:random".
std::string new_owner_id();

}  // namespace mox::queue
