#include "db/sqlite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <string>

namespace mox::db {

int64_t now_unix() { return static_cast<int64_t>(std::time(nullptr)); }

namespace {

// The kind of an SQLite result code: a lock held elsewhere is temporary, a
// full disk is kNoSpace (SQLITE_FULL, or an I/O error whose system errno is
// ENOSPC/EDQUOT: a write to the -wal or -shm file reports SQLITE_IOERR_*).
ErrorKind sqlite_kind(int rc, sqlite3* db) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::kTemporary;
    case SQLITE_FULL:
      return ErrorKind::kNoSpace;
    case SQLITE_IOERR: {
      int e = db ? sqlite3_system_errno(db) : 0;
      return e == ENOSPC || e == EDQUOT ? ErrorKind::kNoSpace : ErrorKind::kInternal;
    }
    default:
      return ErrorKind::kInternal;
  }
}

// Waits for a lock held by another connection: short sleeps that grow to
// 2 ms, for at most 10 s. SQLite's default handler sleeps up to 100 ms
// between tries, which made lock waits dominate delivery latency (bench/).
int busy_wait(void*, int count) {
  constexpr int kMaxTries = 10000;
  if (count >= kMaxTries) return 0;
  int us = count < 10 ? 100 : count < 100 ? 500 : 2000;
  ::usleep(static_cast<useconds_t>(us));
  return 1;
}

}  // namespace

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    s_ = o.s_;
    db_ = o.db_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view text) {
  sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(s_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e{sqlite_kind(rc, db_), std::string("sqlite: ") + sqlite3_errmsg(db_)};
  if ((rc & 0xff) == SQLITE_CONSTRAINT) e.kind = ErrorKind::kUser;
  sqlite3_reset(s_);
  return e;
}

Status Stmt::run() {
  while (true) {
    MOX_ASSIGN(bool row, step());
    if (!row) break;
  }
  sqlite3_reset(s_);
  return {};
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

int64_t Stmt::col_int(int i) const { return sqlite3_column_int64(s_, i); }

std::string Stmt::col_text(int i) const {
  const unsigned char* t = sqlite3_column_text(s_, i);
  int n = sqlite3_column_bytes(s_, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}

std::string Stmt::col_blob(int i) const {
  const void* b = sqlite3_column_blob(s_, i);
  int n = sqlite3_column_bytes(s_, i);
  return b ? std::string(static_cast<const char*>(b), static_cast<size_t>(n)) : std::string();
}

bool Stmt::col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}

Db::~Db() { sqlite3_close_v2(db_); }

Error Db::error(std::string_view what) const {
  return Error{
      db_ ? sqlite_kind(sqlite3_extended_errcode(db_), db_) : ErrorKind::kInternal,
      std::string(what) + " " + path_ + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

Result<Db> Db::open(const std::string& path, const std::vector<std::string>& migrations,
                    bool create) {
  Db db;
  db.path_ = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr) != SQLITE_OK) {
    return db.error("open");
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_handler(db.db_, busy_wait, nullptr);
  // Many short-lived processes open and close the same databases: a
  // checkpoint (and WAL deletion) at every close costs fsyncs per message;
  // the automatic checkpoint during commits is enough.
  sqlite3_db_config(db.db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  MOX_TRY(db.exec("PRAGMA journal_mode=WAL"));
  MOX_TRY(db.exec("PRAGMA synchronous=FULL"));
  MOX_TRY(db.exec("PRAGMA foreign_keys=ON"));
  MOX_ASSIGN(Stmt v, db.prepare("PRAGMA user_version"));
  MOX_TRY(v.step());
  int64_t version = v.col_int(0);
  v = Stmt();
  if (version > static_cast<int64_t>(migrations.size())) {
    return internal_error(path + ": schema version " + std::to_string(version) +
                          " is newer than this program knows (" +
                          std::to_string(migrations.size()) + ")");
  }
  while (version < static_cast<int64_t>(migrations.size())) {
    MOX_ASSIGN(Tx tx, Tx::begin(db));
    // Re-read under the write lock: another process may have migrated.
    MOX_ASSIGN(Stmt v2, db.prepare("PRAGMA user_version"));
    MOX_TRY(v2.step());
    version = v2.col_int(0);
    v2 = Stmt();
    if (version >= static_cast<int64_t>(migrations.size())) break;
    MOX_TRY(db.exec(migrations[static_cast<size_t>(version)]));
    ++version;
    MOX_TRY(db.exec("PRAGMA user_version=" + std::to_string(version)));
    MOX_TRY(tx.commit());
  }
  return db;
}

Status Db::exec(std::string_view sql) {
  std::string s(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return Error{sqlite_kind(rc, db_), "sqlite " + path_ + ": " + m};
  }
  return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK) {
    return error("prepare");
  }
  return Stmt(s, db_);
}

int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Result<Tx> Tx::begin(Db& db) {
  MOX_TRY(db.exec("BEGIN IMMEDIATE"));
  return Tx(&db);
}

Result<Tx> Tx::begin_read(Db& db) {
  MOX_TRY(db.exec("BEGIN DEFERRED"));
  return Tx(&db);
}

Tx::~Tx() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Status Tx::commit() {
  Db* db = db_;
  db_ = nullptr;
  Status st = db->exec("COMMIT");
  // A failed COMMIT may leave the transaction open (e.g. SQLITE_BUSY); end it
  // so that the connection stays usable.
  if (!st && !sqlite3_get_autocommit(db->raw())) (void)db->exec("ROLLBACK");
  return st;
}

namespace {

// A raw connection closed when it goes (backup_database's two ends).
struct RawDb {
  sqlite3* db = nullptr;
  ~RawDb() { sqlite3_close_v2(db); }
};

Status open_raw(const std::string& path, int flags, RawDb& out) {
  if (sqlite3_open_v2(path.c_str(), &out.db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return internal_error("open " + path + ": " +
                          (out.db ? sqlite3_errmsg(out.db) : std::string("out of memory")));
  }
  sqlite3_extended_result_codes(out.db, 1);
  sqlite3_busy_handler(out.db, busy_wait, nullptr);
  return {};
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return os_error("open " + path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return os_error("fsync " + path, err);
  return {};
}

}  // namespace

Status backup_database(const std::string& src_path, const std::string& dest_path) {
  if (::access(dest_path.c_str(), F_OK) == 0) return user_error(dest_path + " exists");
  RawDb src, dest;
  MOX_TRY(open_raw(src_path, SQLITE_OPEN_READWRITE, src));
  MOX_TRY(open_raw(dest_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, dest));
  sqlite3_backup* b = sqlite3_backup_init(dest.db, "main", src.db, "main");
  if (!b) return internal_error("backup of " + src_path + ": " + sqlite3_errmsg(dest.db));
  // All pages in one step: one read transaction, so one committed state.
  int rc = SQLITE_OK;
  for (int tries = 0; tries < 10000; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    ::usleep(2000);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    return Error{sqlite_kind(rc, dest.db), "backup of " + src_path + ": " + sqlite3_errstr(rc)};
  }
  sqlite3_close_v2(dest.db);
  dest.db = nullptr;
  MOX_TRY(fsync_path(dest_path, O_RDONLY));
  std::string dir = dest_path.substr(0, dest_path.rfind('/') + 1);
  return fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

Result<std::vector<std::string>> integrity_check(Db& db) {
  MOX_ASSIGN(Stmt q, db.prepare("PRAGMA integrity_check"));
  MOX_ASSIGN(std::vector<std::string> lines,
             collect(q, [](const Stmt& s) { return s.col_text(0); }));
  if (lines.size() == 1 && lines[0] == "ok") lines.clear();
  return lines;
}

}  // namespace mox::db
