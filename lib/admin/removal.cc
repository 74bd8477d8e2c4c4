#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "admin/admin.h"
#include "admin/internal.h"
#include "auth/authdb.h"
#include "store/check.h"
#include "util/fs.h"

namespace mox::admin {
namespace fs = std::filesystem;

Result<bool> remove_account_data(const config::Config& c, const std::string& account) {
  std::string dir = c.account_dir(account);
  std::string tmp = c.data_dir() + "/tmp/oldaccount-" + account;
  if (path_exists(dir)) {
    // Nobody may use the account while we take it away (docs/DESIGN.md "Shared
    // state between processes").
    auto lock = FileLock::acquire(dir + "/lock", FileLock::Mode::kExclusive, false);
    if (!lock) {
      if (lock.error().kind == ErrorKind::kTemporary) return false;
      return std::move(lock).error();
    }
    MOX_TRY(mkdir_all(c.data_dir() + "/tmp", 0770));
    std::error_code ec;
    fs::remove_all(tmp, ec);  // leftover of an earlier interrupted removal
    if (::rename(dir.c_str(), tmp.c_str()) != 0) {
      return internal_error("rename " + dir + " to " + tmp + ": " + std::strerror(errno));
    }
    MOX_TRY(fsync_dir(c.data_dir() + "/accounts"));
  }
  crashpoint("account-rm-after-rename");
  MOX_ASSIGN(db::Db adb, auth::open_auth_db(c.data_dir()));
  MOX_TRY(auth::finish_account_removal_rows(adb, account));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (ec) return internal_error("removing " + tmp + ": " + ec.message());
  return true;
}

Status complete_pending_removals(const config::Config& c) {
  if (!path_exists(c.data_dir() + "/auth.db")) return {};
  MOX_ASSIGN(db::Db adb, auth::open_auth_db(c.data_dir()));
  MOX_ASSIGN(auto pending, auth::pending_account_removals(adb));
  for (const auto& account : pending) {
    const config::Config* cur = &c;
    ConfigPtr updated;
    if (c.account(account)) {
      // Interrupted before domains.conf was written: finish that step first.
      auto r = change_dynamic(c.static_path(), [&](config::Dynamic& dyn) -> Status {
        dyn.accounts.erase(account);
        return {};
      });
      if (!r) {
        std::fprintf(stderr, "mox: pending removal of account %s: %s\n", account.c_str(),
                     r.error().message.c_str());
        continue;
      }
      updated = *r;
      cur = updated.get();
    }
    auto done = remove_account_data(*cur, account);
    if (!done) {
      std::fprintf(stderr, "mox: pending removal of account %s: %s\n", account.c_str(),
                   done.error().message.c_str());
    }
  }
  return {};
}

Result<int64_t> remove_orphan_message_files(const config::Config& c) {
  int64_t removed = 0;
  for (const auto& [name, acc] : c.dynamic().accounts) {
    std::string dir = c.account_dir(name);
    if (!path_exists(dir + "/index.db")) continue;  // never received anything
    MOX_ASSIGN(store::AccountStore st, store::AccountStore::open(dir, false));
    MOX_ASSIGN(store::CheckReport r, store::check_account(st, true));
    removed += r.removed;
  }
  return removed;
}

Result<ConfigPtr> load_and_recover(const std::string& static_path) {
  MOX_ASSIGN(ConfigPtr c, config::Config::load(static_path));
  MOX_TRY(complete_pending_removals(*c));
  // A removal may have changed domains.conf; read it again.
  return config::Config::load(static_path);
}

}  // namespace mox::admin
