#include "store/checkpointer.h"

#include <memory>
#include <utility>

namespace mox::store {

Checkpointer::Checkpointer(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {
  sqlite3_wal_hook(db_, &Checkpointer::wal_hook, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  task_.stop();
}

int Checkpointer::wal_hook(void* self, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) {
    auto* c = static_cast<Checkpointer*>(self);
    c->task_.start([c] { c->checkpoint(); });  // unless one is running
  }
  return SQLITE_OK;
}

void Checkpointer::checkpoint() {
  // A connection of its own: PASSIVE copies what no reader still needs into
  // the database file and fsyncs it, without blocking writers; the next
  // commit then starts the WAL from the beginning. A failure (e.g. the
  // account was removed meanwhile) only leaves the WAL longer.
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  if (rc == SQLITE_OK) {
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // Until a first checkpoint the database file's header may still say
    // "rollback journal": a connection sees the WAL once it asks for it.
    sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    sqlite3_wal_checkpoint_v2(raw, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
}

}  // namespace mox::store
