#include <filesystem>

#include "admin/admin.h"
#include "admin/names.h"
#include "util/fs.h"

namespace mox::admin {

Result<ConfigPtr> change_dynamic(const std::string& static_path,
                                 const std::function<Status(config::Dynamic&)>& change) {
  std::string dir = std::filesystem::path(static_path).parent_path().string();
  if (dir.empty()) dir = ".";
  // docs/DESIGN.md "Shared state between processes": domains.conf is changed
  // only under config/domains.conf.lock.
  MOX_ASSIGN(FileLock lock,
             FileLock::acquire(dir + "/domains.conf.lock", FileLock::Mode::kExclusive, true));
  MOX_ASSIGN(ConfigPtr current, config::Config::load(static_path));
  config::Dynamic dyn = current->dynamic();
  MOX_TRY(change(dyn));
  MOX_TRY(check_new_values(current->dynamic(), dyn));
  MOX_ASSIGN(ConfigPtr next,
             config::Config::make(static_path, current->static_config(), std::move(dyn)));
  // Only text that reads back as this config is installed.
  MOX_ASSIGN(std::string text, config::checked_dynamic_text(*next));
  crashpoint("config-write-before-rename");
  MOX_TRY(write_file_atomic(next->dynamic_path(), text, 0660));
  return next;
}

}  // namespace mox::admin
