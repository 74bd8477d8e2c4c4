#include "store/quota.h"

#include <string>

namespace mox::store {

Result<int64_t> disk_usage(db::Db& db) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT MessageSize FROM DiskUsage WHERE ID = 1"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no DiskUsage row");
  return q.col_int(0);
}

Result<int64_t> disk_usage(AccountStore& a) { return disk_usage(a.db()); }

Status check_quota(db::Db& db, int64_t quota, int64_t adding) {
  if (quota <= 0 || adding <= 0) return {};
  MOX_ASSIGN(int64_t used, disk_usage(db));
  if (used + adding <= quota) return {};
  return Error{ErrorKind::kOverQuota, "account quota exceeded: " + std::to_string(used) + " of " +
                                          std::to_string(quota) + " bytes used, " +
                                          std::to_string(adding) + " more refused"};
}

}  // namespace mox::store
