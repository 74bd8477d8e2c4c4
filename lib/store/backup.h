// A consistent copy of a message store while its writers run (docs/DESIGN.md
// "Backup and restore"): a directory holding one SQLite database and the
// message files msg/<dir>/<id> its rows name (store/msgpath.h). An account
// (index.db, rows of Message) is one; the outgoing queue (queue/index.db,
// rows of Msg) is another.
//
// Every writer makes a message file durable before it commits the row, and
// removes a file only after the commit that removed its row
// (store/deliver.h "Durability", store/messages.h expunge). So:
//  1. The files of the rows there are now are linked (or copied) without
//     any lock: most of the work, while deliveries and IMAP go on.
//  2. Then, holding the database's write lock (BEGIN IMMEDIATE: writers
//     wait, readers do not), the database is copied (db::backup_database)
//     and the files of rows that came since step 1 are linked; files of
//     step 1 whose rows are gone (expunged meanwhile) are taken out again.
//     While the lock is held no row can go, so no file of a row in the copy
//     can be removed before it is linked. Holding it costs writers the time
//     of the database copy and of the few links of step 2.
// The copy has exactly the files its rows name: no orphans, none missing
// (unless the source itself had a row without its file: `missing`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/sqlite.h"
#include "store/backupfiles.h"
#include "util/result.h"

namespace mox::store {

struct StoreBackup {
  std::string src_dir, dest_dir;  // the store's directory and its copy
  std::string db_name;            // "index.db"
  // Selects the ID of every row that has a message file, e.g.
  // "SELECT ID FROM Message".
  std::string ids_sql;
  // Tests: runs between step 1 and step 2, to change the store meanwhile.
  std::function<void()> between_steps;
};

struct StoreBackupResult {
  int64_t messages = 0;          // rows with a file in the copy
  std::vector<int64_t> missing;  // rows whose file the source lacks
};

// Copies the store `b` describes into b.dest_dir (which must not hold the
// database yet), through `files`. `live` is an open connection to the
// source database, used for the write lock and to list IDs. Does not
// fsync directories: call files.sync() at the end of the backup.
Result<StoreBackupResult> backup_message_store(db::Db& live, const StoreBackup& b,
                                               BackupFiles& files);

}  // namespace mox::store
