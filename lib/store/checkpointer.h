// WAL checkpoints of an account's index.db in a thread of their own, for a
// connection that many threads commit through (SharedAccount,
// store/shared.h): SQLite's automatic checkpoint would run inside the commit
// that crosses the threshold and make every delivery waiting for that
// commit wait for the checkpoint's copying and fsyncs. A WAL hook replaces
// it on that connection.
//
// Thread-safe. The connection must outlive the Checkpointer.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/background.h"

namespace mox::store {

class Checkpointer {
 public:
  // Installs the WAL hook on `db`, the connection of the database file `path`.
  Checkpointer(sqlite3* db, std::string path);
  // Removes the hook; waits for a checkpoint in progress.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // SQLite's automatic checkpoint starts at 1000 pages too.
  static constexpr int kCheckpointPages = 1000;

 private:
  static int wal_hook(void* self, sqlite3* db, const char* name, int pages);
  void checkpoint();  // in task_

  sqlite3* const db_;
  const std::string path_;
  BackgroundTask task_;
};

}  // namespace mox::store
