#include "queue/sendlimit.h"

#include <set>

namespace mox::queue {
namespace {

int64_t or_default(int64_t configured, int64_t default_value) {
  return configured > 0 ? configured : default_value;
}

}  // namespace

SendLimits send_limits(const config::Account& a) {
  return SendLimits{
      or_default(a.max_outgoing_messages_per_day, kDefaultMaxOutgoingMessagesPerDay),
      or_default(a.max_first_time_recipients_per_day, kDefaultMaxFirstTimeRecipientsPerDay)};
}

Result<SendLimitCheck> check_send_limits(db::Db& db, const std::string& account,
                                         const std::vector<std::string>& recipients,
                                         const SendLimits& limits, int64_t now) {
  const int64_t since = now - kSendLimitWindow;
  MOX_ASSIGN(auto sent, db.prepare("SELECT COUNT(*) FROM Outgoing WHERE Account = ? AND "
                                   "Submitted > ?"));
  sent.bind(1, account).bind(2, since);
  MOX_TRY(sent.step());
  const int64_t messages = sent.col_int(0) + static_cast<int64_t>(recipients.size());
  if (messages > limits.messages_per_day) {
    return SendLimitCheck{SendLimit::kMessages, limits.messages_per_day, messages};
  }
  MOX_ASSIGN(auto first, db.prepare("SELECT COUNT(*) FROM OutgoingRecipient WHERE Account = ? "
                                    "AND First > ?"));
  first.bind(1, account).bind(2, since);
  MOX_TRY(first.step());
  int64_t first_time = first.col_int(0);
  MOX_ASSIGN(auto known, db.prepare("SELECT 1 FROM OutgoingRecipient WHERE Account = ? AND "
                                    "Recipient = ?"));
  for (const std::string& r : std::set<std::string>(recipients.begin(), recipients.end())) {
    known.reset();
    known.bind(1, account).bind(2, r);
    MOX_ASSIGN(bool seen, known.step());
    if (!seen) ++first_time;
  }
  if (first_time > limits.first_time_recipients_per_day) {
    return SendLimitCheck{SendLimit::kFirstTimeRecipients, limits.first_time_recipients_per_day,
                          first_time};
  }
  return SendLimitCheck{};
}

Status record_outgoing(db::Db& db, const std::string& account,
                       const std::vector<std::string>& recipients, int64_t now) {
  MOX_ASSIGN(auto msg, db.prepare("INSERT INTO Outgoing (Account, Recipient, Submitted) "
                                  "VALUES (?, ?, ?)"));
  MOX_ASSIGN(auto rcpt, db.prepare("INSERT INTO OutgoingRecipient (Account, Recipient, First) "
                                   "VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
  for (const std::string& r : recipients) {
    msg.reset();
    MOX_TRY(msg.bind(1, account).bind(2, r).bind(3, now).run());
    rcpt.reset();
    MOX_TRY(rcpt.bind(1, account).bind(2, r).bind(3, now).run());
  }
  MOX_ASSIGN(auto old, db.prepare("DELETE FROM Outgoing WHERE Account = ? AND Submitted <= ?"));
  return old.bind(1, account).bind(2, now - kSendLimitWindow).run();
}

Result<int64_t> remove_account_outgoing(db::Db& db, const std::string& account) {
  int64_t n = 0;
  for (const char* sql : {"DELETE FROM Outgoing WHERE Account = ?",
                          "DELETE FROM OutgoingRecipient WHERE Account = ?"}) {
    MOX_ASSIGN(auto q, db.prepare(sql));
    MOX_TRY(q.bind(1, account).run());
    n += db.changes();
  }
  return n;
}

}  // namespace mox::queue
