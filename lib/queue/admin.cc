#include "queue/admin.h"

#include <chrono>
#include <map>

#include "queue/dsn.h"
#include "queue/original.h"

namespace mox::queue {
namespace {

constexpr int64_t kRemovedAccountKeepSeconds = 7 * 24 * 3600;  // mox-queue(8) "Delivery"

Result<int64_t> end_messages(db::Db& db, const config::Config& cfg, const Filter& f, int64_t now,
                             bool dsn) {
  MOX_ASSIGN(auto msgs, list_messages(db, f, now));
  AttemptResult r;
  r.start = now;
  r.counts = false;
  r.secode = "5.3.0";
  r.error = dsn ? "delivery canceled by the administrator" : "dropped by the administrator";
  if (dsn) {
    // One DSN per original message, sent before the records change.
    std::map<int64_t, Dsn> dsns;
    std::map<int64_t, std::string> account;
    for (const auto& m : msgs) {
      if (m.sender().empty()) continue;
      auto& d = dsns[m.base_id];
      if (d.recipients.empty()) {
        d.reporting_mta = cfg.static_config().hostname;
        d.to = m.sender();
        d.original_message_id = m.message_id;
        d.original_subject = m.subject;
        d.original_header = original_header(cfg.data_dir(), m.id);
        d.arrival = m.queued;
        d.now = now;
        account[m.base_id] = m.sender_account;
      }
      d.recipients.push_back({m.recipient(), true, "5.3.0", 0, r.error, "", m.last_attempt});
    }
    for (const auto& [base, d] : dsns) {
      auto st = deliver_dsn(cfg, account[base], d);
      if (!st && st.error().kind != ErrorKind::kNotFound) return st.error();
    }
  }
  int64_t n = 0;
  for (const auto& m : msgs) {
    auto st = retire(db, cfg.data_dir(), m.id, r, keep_retired_seconds(cfg, m.sender_account), now);
    if (st)
      ++n;
    else if (st.error().kind != ErrorKind::kNotFound)
      return st.error();
  }
  return n;
}

}  // namespace

int64_t keep_retired_seconds(const config::Config& cfg, const std::string& account) {
  const auto* a = cfg.account(account);
  if (!a) return kRemovedAccountKeepSeconds;
  return std::chrono::duration_cast<std::chrono::seconds>(a->keep_retired_message_period).count();
}

Result<int64_t> fail_messages(db::Db& db, const config::Config& cfg, const Filter& f, int64_t now) {
  return end_messages(db, cfg, f, now, true);
}

Result<int64_t> drop_messages(db::Db& db, const config::Config& cfg, const Filter& f, int64_t now) {
  return end_messages(db, cfg, f, now, false);
}

}  // namespace mox::queue
