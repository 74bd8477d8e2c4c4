#include "store/backup.h"

#include <sys/stat.h>

#include <map>
#include <set>

#include "store/msgfile.h"

namespace mox::store {
namespace {

struct Linked {
  BackupFiles::Put how;
  int64_t size;
};

Result<std::set<int64_t>> list_ids(db::Db& db, const std::string& sql) {
  MOX_ASSIGN(db::Stmt q, db.prepare(sql));
  MOX_ASSIGN(std::vector<int64_t> ids,
             db::collect(q, [](const db::Stmt& s) { return s.col_int(0); }));
  return std::set<int64_t>(ids.begin(), ids.end());
}

int64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// Puts message `id` into the copy; false when its file is gone.
Result<bool> put_message(const StoreBackup& b, int64_t id, BackupFiles& files,
                         std::map<int64_t, Linked>& linked) {
  std::string src = message_file_path(b.src_dir, id);
  auto how = files.link_or_copy(src, message_file_path(b.dest_dir, id));
  if (!how) {
    if (how.error().kind == ErrorKind::kNotFound) return false;
    return std::move(how).error();
  }
  linked[id] = Linked{*how, file_size(src)};
  return true;
}

}  // namespace

Result<StoreBackupResult> backup_message_store(db::Db& live, const StoreBackup& b,
                                               BackupFiles& files) {
  MOX_TRY(files.mkdirs(b.dest_dir + "/msg"));
  // Step 1, without locks: the files of the rows there are now.
  std::map<int64_t, Linked> linked;
  {
    MOX_ASSIGN(std::set<int64_t> ids, list_ids(live, b.ids_sql));
    for (int64_t id : ids) MOX_TRY(put_message(b, id, files, linked));
  }
  if (b.between_steps) b.between_steps();
  // Step 2, under the write lock: the database, and the difference.
  std::set<int64_t> ids;
  StoreBackupResult out;
  {
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(live));
    std::string dest_db = b.dest_dir + "/" + b.db_name;
    MOX_TRY(db::backup_database(b.src_dir + "/" + b.db_name, dest_db));
    files.add_database(dest_db, file_size(dest_db));
    MOX_ASSIGN(ids, list_ids(live, b.ids_sql));
    for (int64_t id : ids) {
      if (linked.count(id)) continue;
      MOX_ASSIGN(bool there, put_message(b, id, files, linked));
      if (!there) out.missing.push_back(id);
    }
  }  // ends the transaction: writers go on
  for (const auto& [id, l] : linked) {
    if (!ids.count(id)) MOX_TRY(files.remove(message_file_path(b.dest_dir, id), l.how, l.size));
  }
  out.messages = static_cast<int64_t>(ids.size() - out.missing.size());
  return out;
}

}  // namespace mox::store
