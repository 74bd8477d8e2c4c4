#include "auth/limiter.h"

#include <iterator>

#include "auth/ipclass.h"

namespace mox::auth {

Result<std::string> limiter_key(std::string_view ip) {
  MOX_ASSIGN(IPAddr a, IPAddr::parse(ip));
  return a.key();
}

Result<bool> auth_allowed(db::Db& db, std::string_view ip, int64_t now) {
  MOX_ASSIGN(IPAddr a, IPAddr::parse(ip));
  MOX_ASSIGN(auto q, db.prepare("SELECT COALESCE(SUM(Time > ?1), 0), COUNT(*) FROM AuthFailure "
                                "WHERE IPKey BETWEEN ?2 AND ?3 AND Time > ?4"));
  for (const IPClass& c : kIPClasses) {
    const IPAddr::KeyRange r = a.range(c);
    q.reset();
    q.bind(1, now - kLimiterMinute).bind(2, r.lo).bind(3, r.hi).bind(4, now - kLimiterDay);
    MOX_TRY(q.step());
    if (q.col_int(0) >= kFailuresPerMinute * c.factor ||
        q.col_int(1) >= kFailuresPerDay * c.factor) {
      return false;
    }
  }
  return true;
}

Result<bool> account_auth_allowed(db::Db& db, std::string_view account, std::string_view ip,
                                  int64_t now) {
  if (account.empty()) return true;
  MOX_ASSIGN(auto q, db.prepare("SELECT COALESCE(SUM(Time > ?1), 0), COUNT(*) FROM AuthFailure "
                                "WHERE Account = ?2 AND Time > ?3"));
  q.bind(1, now - kLimiterMinute).bind(2, account).bind(3, now - kLimiterDay);
  MOX_TRY(q.step());
  if (q.col_int(0) < kAccountPerMinute && q.col_int(1) < kAccountPerDay) return true;
  MOX_ASSIGN(auto known, db.prepare("SELECT 1 FROM LoginAttempt WHERE AccountName = ? AND "
                                    "RemoteIP = ? AND Result = 'ok' LIMIT 1"));
  known.bind(1, account).bind(2, ip);
  return known.step();
}

Status auth_failed(db::Db& db, std::string_view ip, std::string_view account, int64_t now) {
  MOX_ASSIGN(IPAddr a, IPAddr::parse(ip));
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto ins,
             db.prepare("INSERT INTO AuthFailure (IPKey, Time, Account) VALUES (?, ?, ?)"));
  MOX_TRY(ins.bind(1, a.key()).bind(2, now).bind(3, account).run());
  // Keep the table small without a full scan: prune the widest class's range.
  const IPAddr::KeyRange r = a.range(kIPClasses[std::size(kIPClasses) - 1]);
  MOX_ASSIGN(auto del,
             db.prepare("DELETE FROM AuthFailure WHERE IPKey BETWEEN ? AND ? AND Time <= ?"));
  MOX_TRY(del.bind(1, r.lo).bind(2, r.hi).bind(3, now - kLimiterDay).run());
  return tx.commit();
}

Status auth_succeeded(db::Db& db, std::string_view ip, std::string_view account) {
  MOX_ASSIGN(std::string key, limiter_key(ip));
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM AuthFailure WHERE IPKey = ? AND Account = ?"));
  return del.bind(1, key).bind(2, account).run();
}

Result<int64_t> prune_auth_failures(db::Db& db, int64_t now) {
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM AuthFailure WHERE Time <= ?"));
  MOX_TRY(del.bind(1, now - kLimiterDay).run());
  return static_cast<int64_t>(db.changes());
}

}  // namespace mox::auth
