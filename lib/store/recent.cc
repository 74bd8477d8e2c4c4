#include "store/recent.h"

#include "db/sqlite.h"

namespace mox::store {

namespace {

// The mailbox's RecentUID and highest UID.
Result<RecentClaim> marks(db::Db& db, int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT RecentUID, UIDNext - 1 FROM Mailbox WHERE ID = ?"));
  q.bind(1, mailbox_id);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return not_found("mailbox does not exist");
  return RecentClaim{q.col_int(0), q.col_int(1)};
}

}  // namespace

Result<RecentClaim> claim_recent(AccountStore& a, int64_t mailbox_id) {
  db::Db& db = a.db();
  // Nothing to claim, the usual case, needs no write transaction: the mark
  // only ever rises.
  MOX_ASSIGN(RecentClaim c, marks(db, mailbox_id));
  if (c.upto <= c.after) return RecentClaim{c.after, c.after};
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  MOX_ASSIGN(c, marks(db, mailbox_id));
  if (c.upto <= c.after) return RecentClaim{c.after, c.after};
  MOX_ASSIGN(db::Stmt u, db.prepare("UPDATE Mailbox SET RecentUID = ? WHERE ID = ?"));
  MOX_TRY(u.bind(1, c.upto).bind(2, mailbox_id).run());
  MOX_TRY(tx.commit());
  return c;
}

Result<int64_t> recent_uid(AccountStore& a, int64_t mailbox_id) {
  MOX_ASSIGN(RecentClaim c, marks(a.db(), mailbox_id));
  return c.after;
}

}  // namespace mox::store
