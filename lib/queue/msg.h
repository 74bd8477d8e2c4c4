// Queued and retired messages as records, the filters of `mox-queue`
// (mox-queue(8) "Verbs") and the administrator's operations on them.
//
// Every operation takes the queue database and `now` (seconds since the
// epoch) explicitly, so that tests can run them at any time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::queue {

// One queued message for one recipient (a Msg row; MsgRetired adds the
// retired fields).
struct Msg {
  int64_t id = 0, base_id = 0, queued = 0;
  bool hold = false;
  std::string sender_account, sender_localpart, sender_domain;
  std::string recipient_localpart, recipient_domain;
  int64_t attempts = 0, max_attempts = 0;
  int64_t next_attempt = 0, last_attempt = 0;  // last_attempt 0: none yet
  std::string results;                         // JSON array of attempt results
  bool has_8bit = false, smtputf8 = false;
  int64_t size = 0;
  std::string message_id, subject, transport;
  std::string msg_prefix;  // DKIM-Signature fields, sent before the file
  // Last attempt's result, from `results`.
  int64_t last_code = 0;
  std::string last_secode, last_error;
  // Retired messages only.
  int64_t last_activity = 0, keep_until = 0;
  bool success = false;

  std::string sender() const;  // "" for the null reverse-path
  std::string recipient() const;
  std::string json() const;  // one line, for --json
};

// A duration filter: "<DUR" (less than DUR from now) or ">DUR".
struct DurationFilter {
  bool less = true;
  int64_t seconds = 0;
  static Result<DurationFilter> parse(std::string_view s);
};

// The filter flags of most mox-queue verbs; empty fields do not filter.
struct Filter {
  std::string account;
  std::string from, to;  // address, or "@domain" for a whole domain
  std::optional<bool> hold;
  std::vector<int64_t> ids;
  int64_t max = 0;  // 0: no limit
  std::optional<DurationFilter> submitted, next_attempt;
  std::string transport;
  // list only
  std::string sort = "nextattempt";  // or "queued"
  bool asc = true;
  // retired only
  std::optional<bool> success;
  std::optional<DurationFilter> last_activity;
};

Result<std::vector<Msg>> list_messages(db::Db& db, const Filter& f, int64_t now);
Result<std::vector<Msg>> list_retired(db::Db& db, const Filter& f, int64_t now);
Result<Msg> get_message(db::Db& db, int64_t id);
Result<Msg> get_retired(db::Db& db, int64_t id);

// Hold or release the matching messages; returns how many changed.
Result<int64_t> set_hold(db::Db& db, const Filter& f, bool hold, int64_t now);
// With `now_base`, NextAttempt = now + seconds; otherwise NextAttempt += seconds.
Result<int64_t> reschedule(db::Db& db, const Filter& f, bool from_now, int64_t seconds,
                           int64_t now);

// The outcome of one delivery attempt (an element of Msg.results).
struct AttemptResult {
  int64_t start = 0, duration_ms = 0;
  bool success = false;
  int64_t code = 0;         // SMTP reply code, 0 when there was none
  std::string secode;       // enhanced status code, "5.1.1"
  std::string error, host;  // reply text or local reason; the host tried
  bool counts = true;       // a delivery attempt (false: an administrator's action)
};

// Retires one message: appends `r` to its results, moves the row to
// MsgRetired (or deletes it when `keep_seconds` is 0), then removes its
// file. kNotFound if the message is gone. The caller holds the lease or is
// the administrator.
Status retire(db::Db& db, const std::string& data_dir, int64_t id, const AttemptResult& r,
              int64_t keep_seconds, int64_t now);

// A failed attempt that will be retried: appends `r`, counts the attempt,
// sets LastAttempt and NextAttempt and ends the lease.
Status record_retry(db::Db& db, int64_t id, const AttemptResult& r, int64_t next_attempt);

// Deletes retired messages whose keep period has passed; returns the count.
Result<int64_t> purge_retired(db::Db& db, int64_t now);

// Removes message files without a queued message that are older than an
// hour (left by a crash between a commit and the file's removal, or by an
// add that was never committed); returns how many.
Result<int64_t> remove_orphan_files(db::Db& db, const std::string& data_dir, int64_t now);

// The message as delivered: MsgPrefix then the file.
Result<std::string> message_path(const std::string& data_dir, const Msg& m);

}  // namespace mox::queue
