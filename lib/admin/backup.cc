#include "admin/backup.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "queue/queuedb.h"
#include "store/account.h"
#include "store/backup.h"
#include "util/fs.h"

namespace mox::admin {
namespace {
namespace fs = std::filesystem;

fs::path canonical_of(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::path(p).lexically_normal() : c;
}

// Whether `p` is `dir` or below it.
bool inside(const fs::path& p, const fs::path& dir) {
  fs::path rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

Status check_dest(const config::Config& c, const std::string& dest) {
  fs::path d = canonical_of(dest);
  for (const std::string& dir : {c.config_dir(), c.data_dir()}) {
    if (inside(d, canonical_of(dir))) return user_error(dest + " is inside " + dir);
  }
  std::error_code ec;
  if (!fs::exists(d, ec)) return {};
  if (!fs::is_directory(d, ec)) return user_error(dest + " exists and is not a directory");
  if (!fs::is_empty(d, ec)) return user_error(dest + " exists and is not empty");
  return {};
}

mode_t mode_of(const fs::path& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0750;
}

// Lock files and the temp files of write_file_atomic (util/fs.h) are not
// configuration.
bool skipped_config_file(const std::string& name) {
  if (name.ends_with(".lock")) return true;
  auto tmp = name.rfind(".tmp");
  return tmp != std::string::npos && tmp + 4 < name.size() &&
         name.find_first_not_of("0123456789", tmp + 4) == std::string::npos;
}

Status copy_config_dir(const config::Config& c, const fs::path& dest, store::BackupFiles& files,
                       std::vector<std::string>& warnings) {
  fs::path src = canonical_of(c.config_dir()), data = canonical_of(c.data_dir());
  MOX_TRY(files.mkdirs(dest.string(), mode_of(src)));
  std::error_code ec;
  fs::recursive_directory_iterator it(src, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    fs::path p = it->path();
    fs::path to = dest / p.lexically_relative(src);
    auto type = it->symlink_status(ec).type();
    if (type == fs::file_type::directory) {
      if (inside(canonical_of(p.string()), data)) {
        it.disable_recursion_pending();  // the data directory, copied on its own
        continue;
      }
      MOX_TRY(files.mkdirs(to.string(), mode_of(p)));
    } else if (type == fs::file_type::regular) {
      if (!skipped_config_file(p.filename().string())) MOX_TRY(files.copy(p, to));
    } else {
      warnings.push_back(p.string() + ": not a regular file, not in the backup");
    }
  }
  if (ec) return internal_error("listing " + src.string() + ": " + ec.message());
  return {};
}

// Files the configuration names that lie outside its directory.
void warn_outside(const config::Config& c, std::vector<std::string>& warnings) {
  std::vector<std::string> named;
  for (const auto& [name, d] : c.dynamic().domains) {
    for (const auto& [sel, s] : d.dkim.selectors) named.push_back(s.private_key_file);
  }
  for (const auto& [name, l] : c.static_config().listeners) {
    if (!l.tls) continue;
    for (const auto& kc : l.tls->key_certs) {
      named.push_back(kc.cert_file);
      named.push_back(kc.key_file);
    }
  }
  named.push_back(c.static_config().dns.zone_file);
  fs::path dir = canonical_of(c.config_dir());
  for (const auto& f : named) {
    if (f.empty() || inside(canonical_of(c.config_path(f)), dir)) continue;
    warnings.push_back(c.config_path(f) + ": outside the config directory, not in the backup");
  }
}

void warn_missing(const std::string& what, const store::StoreBackupResult& r,
                  std::vector<std::string>& warnings) {
  for (int64_t id : r.missing) {
    warnings.push_back(what + ": message " + std::to_string(id) +
                       ": file missing in the source, not in the backup (see verifydata)");
  }
}

Status backup_accounts(const config::Config& c, const fs::path& data, store::BackupFiles& files,
                       BackupResult& out) {
  for (const auto& [name, acc] : c.dynamic().accounts) {
    std::string dir = c.account_dir(name);
    if (!path_exists(dir + "/index.db")) continue;  // never used
    MOX_ASSIGN(store::AccountStore st, store::AccountStore::open(dir, false));
    std::string to = (data / "accounts" / name).string();
    MOX_TRY(files.mkdirs(to, mode_of(dir)));
    MOX_ASSIGN(store::StoreBackupResult r,
               store::backup_message_store(
                   st.db(), {dir, to, "index.db", "SELECT ID FROM Message", {}}, files));
    warn_missing("account " + name, r, out.warnings);
    ++out.accounts;
    out.messages += r.messages;
  }
  return {};
}

Status backup_data(const config::Config& c, const fs::path& data, store::BackupFiles& files,
                   BackupResult& out) {
  const std::string& src = c.data_dir();
  MOX_TRY(files.mkdirs(data.string(), mode_of(src)));
  if (path_exists(src + "/auth.db")) {
    std::string to = (data / "auth.db").string();
    MOX_TRY(db::backup_database(src + "/auth.db", to));
    files.add_database(to, static_cast<int64_t>(fs::file_size(to)));
  }
  if (path_exists(src + "/accounts")) {
    MOX_TRY(files.mkdirs((data / "accounts").string(), mode_of(src + "/accounts")));
    MOX_TRY(backup_accounts(c, data, files, out));
  }
  if (path_exists(src + "/queue/index.db")) {
    MOX_ASSIGN(db::Db q, queue::open_queue_db(src));
    std::string to = (data / "queue").string();
    MOX_TRY(files.mkdirs(to, mode_of(src + "/queue")));
    MOX_ASSIGN(store::StoreBackupResult r,
               store::backup_message_store(
                   q, {src + "/queue", to, "index.db", "SELECT ID FROM Msg", {}}, files));
    warn_missing("queue", r, out.warnings);
    out.messages += r.messages;
  }
  return {};
}

}  // namespace

Result<BackupResult> backup(const config::Config& c, const std::string& dest) {
  auto start = std::chrono::steady_clock::now();
  MOX_TRY(check_dest(c, dest));
  BackupResult out;
  store::BackupFiles files;
  fs::path d = canonical_of(dest);
  MOX_TRY(files.mkdirs(d.string(), 0750));
  warn_outside(c, out.warnings);
  MOX_TRY(copy_config_dir(c, d / "config", files, out.warnings));
  MOX_TRY(backup_data(c, d / "data", files, out));
  MOX_TRY(files.sync());
  MOX_TRY(fsync_dir(d.parent_path().string()));
  out.stats = files.stats();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace mox::admin
