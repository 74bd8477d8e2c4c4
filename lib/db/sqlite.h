// RAII wrappers over SQLite 3. Every database is opened in
// WAL mode with a busy timeout and synchronous=FULL, so that many short-lived
// processes can share it and a committed transaction survives power loss.
// Statements are always prepared with bound parameters, never concatenated.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/result.h"

namespace mox::db {

// A BLOB column to read into a string with Stmt::cols (db::blob(s)).
struct BlobInto {
  std::string& s;
};
inline BlobInto blob(std::string& s) { return {s}; }

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();
  bool valid() const { return s_ != nullptr; }

  // Binding is by 1-based index; chained calls.
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view text);
  Stmt& bind_blob(int i, std::string_view bytes);
  Stmt& bind_null(int i);
  // Steps once: true with a row, false when done.
  Result<bool> step();
  // Steps to completion (INSERT/UPDATE/DELETE).
  Status run();
  void reset();

  int64_t col_int(int i) const;
  std::string col_text(int i) const;
  std::string col_blob(int i) const;
  bool col_null(int i) const;
  // Reads the row's columns 0, 1, … in order into `out…`: strings from TEXT,
  // db::blob(s) from a BLOB, integers, and bools (non-zero is true).
  //   q.cols(k.fingerprint, k.type, db::blob(k.cert_der), k.created);
  template <class... T>
  void cols(T&&... out) const {
    cols_from(0, std::forward<T>(out)...);
  }
  // The same from column `first` on.
  template <class... T>
  void cols_from(int first, T&&... out) const {
    int i = first;
    (col_into(i++, std::forward<T>(out)), ...);
  }

 private:
  void col_into(int i, std::string& v) const { v = col_text(i); }
  void col_into(int i, BlobInto v) const { v.s = col_blob(i); }
  void col_into(int i, bool& v) const { v = col_int(i) != 0; }
  template <class I>
  requires std::is_integral_v<I>
  void col_into(int i, I& v) const { v = static_cast<I>(col_int(i)); }

  friend class Db;
  Stmt(sqlite3_stmt* s, sqlite3* db) : s_(s), db_(db) {}
  sqlite3_stmt* s_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Db {
 public:
  Db() = default;
  Db(Db&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Opens (creating if asked) and applies `migrations`: migration i brings the
  // schema from user_version i to i+1, each in its own transaction.
  static Result<Db> open(const std::string& path, const std::vector<std::string>& migrations,
                         bool create = true);

  Status exec(std::string_view sql);
  Result<Stmt> prepare(std::string_view sql);
  int64_t last_insert_id() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Error error(std::string_view what) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction; commit() explicitly; rolls back otherwise.
class Tx {
 public:
  static Result<Tx> begin(Db& db);
  // A read transaction (BEGIN DEFERRED): the reads in it see one snapshot
  // of the database, taken at the first. Ends (ROLLBACK) when destroyed.
  static Result<Tx> begin_read(Db& db);
  Tx(Tx&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  ~Tx();
  Status commit();

 private:
  explicit Tx(Db* db) : db_(db) {}
  Db* db_ = nullptr;
};

// Steps through the rows of `q`, collecting read(q) of each.
template <class F, class T = std::decay_t<std::invoke_result_t<F&, const Stmt&>>>
Result<std::vector<T>> collect(Stmt& q, F read) {
  std::vector<T> out;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) return out;
    out.push_back(read(q));
  }
}

int64_t now_unix();  // seconds since the epoch

// Copies the database at `src_path` into a new file `dest_path` (which must
// not exist) with SQLite's online backup API (sqlite3_backup_*): the copy is
// one committed state of the source, taken while other connections keep
// writing (a read transaction of its own connection; WAL readers do not block
// writers). The copy keeps the source's journal mode (WAL) in its header; it
// is fsynced, with its directory, before this returns.
Status backup_database(const std::string& src_path, const std::string& dest_path);

// PRAGMA integrity_check: the problems SQLite reports, empty when "ok".
Result<std::vector<std::string>> integrity_check(Db& db);

}  // namespace mox::db
