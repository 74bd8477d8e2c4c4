// mox-config backup DESTDIR (mox-config(8) "BACKUP AND RESTORE",
// docs/DESIGN.md "Backup and restore"): a consistent copy of the
// configuration directory and of every database and message file of the data
// directory, made while the servers run.
//
// DESTDIR/config/ holds the files of the configuration directory (mox.conf,
// domains.conf, DKIM keys, TLS keys and certificates, a zone file: every
// regular file below it, less lock files and the temp files of atomic
// writes); DESTDIR/data/ holds auth.db, queue/index.db with queue/msg/, and
// accounts/NAME/index.db with accounts/NAME/msg/ for every account. Each
// database is copied with SQLite's online backup API; each message store with
// exactly the message files its copied rows name (store/backup.h), hard
// links where DESTDIR is on the same file system, copies otherwise.
// Everything written is fsynced. What DESTDIR/data/ does not hold is made
// again by the programs: locks, the change files, the TLS session-ticket keys
// (rotated daily, secret: left out on purpose), tmp/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "store/backupfiles.h"
#include "util/result.h"

namespace mox::admin {

struct BackupResult {
  store::BackupStats stats;
  int64_t accounts = 0;  // account stores copied
  int64_t messages = 0;  // messages in them and in the queue
  // Not errors, but worth a line: files the config names outside its
  // directory (not in the backup), rows whose file the source lacks.
  std::vector<std::string> warnings;
  double seconds = 0;
};

// Backs up `c`'s configuration and data into `dest`, which must not exist
// or be an empty directory, and must not be inside the configuration or the
// data directory (kUser otherwise).
Result<BackupResult> backup(const config::Config& c, const std::string& dest);

}  // namespace mox::admin
