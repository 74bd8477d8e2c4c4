#include "store/metadata.h"

#include "db/sqlite.h"

namespace mox::store {

Result<std::vector<MetadataEntry>> list_metadata(AccountStore& a, int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q, a.db().prepare("SELECT Entry, Value FROM Metadata WHERE MailboxID = ? "
                                        "ORDER BY Entry"));
  q.bind(1, mailbox_id);
  std::vector<MetadataEntry> out;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    out.push_back({q.col_text(0), q.col_blob(1)});
  }
  return out;
}

Status set_metadata(AccountStore& a, int64_t mailbox_id, const std::vector<MetadataChange>& changes,
                    size_t max_entries) {
  db::Db& db = a.db();
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  {
    MOX_ASSIGN(db::Stmt set, db.prepare("INSERT OR REPLACE INTO Metadata (MailboxID, Entry, Value) "
                                        "VALUES (?1, ?2, ?3)"));
    MOX_ASSIGN(db::Stmt del,
               db.prepare("DELETE FROM Metadata WHERE MailboxID = ?1 AND Entry = ?2"));
    for (const auto& [entry, value] : changes) {
      db::Stmt& s = value ? set : del;
      s.reset();
      s.bind(1, mailbox_id).bind(2, entry);
      if (value) s.bind_blob(3, *value);
      MOX_TRY(s.run());
    }
    MOX_ASSIGN(db::Stmt count, db.prepare("SELECT COUNT(*) FROM Metadata WHERE MailboxID = ?"));
    count.bind(1, mailbox_id);
    MOX_TRY(count.step());
    if (static_cast<size_t>(count.col_int(0)) > max_entries) {
      return user_error(kTooManyMetadata);  // tx rolls back
    }
  }
  return tx.commit();
}

}  // namespace mox::store
