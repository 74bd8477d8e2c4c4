#include "store/check.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "store/msgfile.h"
#include "store/msgpath.h"

namespace mox::store {
namespace {
namespace fs = std::filesystem;

// The ID a file name stands for, if `sub/name` is exactly where that ID lives.
std::optional<int64_t> message_id_of(const std::string& sub, const std::string& name) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || id <= 0) return std::nullopt;
  if (message_rel_path(id) != sub + "/" + name) return std::nullopt;  // e.g. leading zeros
  return id;
}

}  // namespace

Result<FileScan> scan_message_files(const std::string& account_dir) {
  FileScan out;
  std::string msg = account_dir + "/msg";
  std::error_code ec;
  if (!fs::exists(msg, ec)) return out;
  for (fs::directory_iterator d(msg, ec), end; !ec && d != end; d.increment(ec)) {
    std::string sub = d->path().filename().string();
    if (!d->is_directory(ec)) {
      out.unexpected.push_back(d->path().string());
      continue;
    }
    std::error_code ec2;
    for (fs::directory_iterator f(d->path(), ec2); !ec2 && f != end; f.increment(ec2)) {
      auto id = message_id_of(sub, f->path().filename().string());
      if (id && f->is_regular_file(ec2)) {
        auto size = f->file_size(ec2);
        if (ec2) size = 0;  // gone meanwhile (expunged): taken as empty
        ec2.clear();
        out.files.emplace_back(*id, static_cast<int64_t>(size));
      } else {
        out.unexpected.push_back(f->path().string());
      }
    }
    if (ec2) return internal_error("listing " + d->path().string() + ": " + ec2.message());
  }
  if (ec) return internal_error("listing " + msg + ": " + ec.message());
  std::sort(out.files.begin(), out.files.end());
  return out;
}

namespace {

Result<std::vector<std::string>> scan_temp_files(const std::string& account_dir) {
  std::vector<std::string> out;
  std::string tmp = account_dir + "/tmp";
  std::error_code ec;
  if (!fs::exists(tmp, ec)) return out;
  for (fs::directory_iterator f(tmp, ec), end; !ec && f != end; f.increment(ec)) {
    out.push_back(f->path().string());
  }
  if (ec) return internal_error("listing " + tmp + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status compare_files(db::Db& db, std::string_view rows_sql, const FileScan& scan, CheckReport& r) {
  MOX_ASSIGN(db::Stmt q, db.prepare(rows_sql));
  const auto& files = scan.files;
  size_t fi = 0;
  auto orphan = [&](const std::pair<int64_t, int64_t>& f) {
    r.orphan_files.push_back(f.first);
    if (f.second == 0) r.empty_orphan_files.push_back(f.first);
  };
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    int64_t id = q.col_int(0), size = q.col_int(1);
    for (; fi < files.size() && files[fi].first < id; ++fi) orphan(files[fi]);
    if (fi < files.size() && files[fi].first == id) {
      if (files[fi].second != size) r.size_mismatches.push_back({id, size, files[fi].second});
      ++fi;
    } else {
      r.missing_files.push_back(id);
    }
  }
  for (; fi < files.size(); ++fi) orphan(files[fi]);
  return {};
}

namespace {

// An expunge commits, then removes the file (store/messages.h): a file
// listed before the commit and gone now was no orphan.
void drop_gone_orphans(const std::string& dir, CheckReport& r) {
  auto gone = [&](int64_t id) { return !path_exists(message_file_path(dir, id)); };
  std::erase_if(r.orphan_files, gone);
  std::erase_if(r.empty_orphan_files, gone);
}

// Messages whose UID their mailbox also lists as expunged: QRESYNC would
// tell clients they are gone (store/vanished.h).
Status find_vanished_live(db::Db& db, CheckReport& r) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT DISTINCT m.ID FROM ExpungedUID e JOIN Message m "
                                    "ON m.MailboxID = e.MailboxID AND m.UID BETWEEN e.FirstUID "
                                    "AND e.LastUID ORDER BY m.ID"));
  MOX_ASSIGN(r.vanished_live, db::collect(q, [](const db::Stmt& s) { return s.col_int(0); }));
  return {};
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return internal_error("remove " + path + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace

Status remove_orphans(const std::string& dir, CheckReport& r) {
  std::set<std::string> dirs;
  for (int64_t id : r.orphan_files) {
    std::string path = message_file_path(dir, id);
    MOX_TRY(remove_file(path));
    dirs.insert(fs::path(path).parent_path().string());
    ++r.removed;
  }
  for (const auto& path : r.stale_temp_files) {
    MOX_TRY(remove_file(path));
    ++r.removed;
  }
  for (const auto& d : dirs) MOX_TRY(fsync_dir(d));
  return {};
}

Result<CheckReport> check_account(AccountStore& account, const CheckOptions& o) {
  const std::string& dir = account.dir();
  CheckReport r;
  {
    MOX_ASSIGN(FileLock lock, lock_message_files(dir, FileLock::Mode::kExclusive));
    MOX_ASSIGN(FileScan files, scan_message_files(dir));
    r.unexpected_files = std::move(files.unexpected);
    MOX_ASSIGN(r.stale_temp_files, scan_temp_files(dir));
    // Every row is a message that is there: expunged ones leave Message
    // (store/vanished.h).
    MOX_TRY(compare_files(account.db(), "SELECT ID, Size FROM Message ORDER BY ID", files, r));
    drop_gone_orphans(dir, r);
    MOX_TRY(find_vanished_live(account.db(), r));
    if (o.remove_files) MOX_TRY(remove_orphans(dir, r));
  }
  MOX_ASSIGN(r.problems, check_invariants(account.db(), o.fix_counters));
  return r;
}

}  // namespace mox::store
