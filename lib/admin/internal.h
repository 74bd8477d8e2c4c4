// Pieces shared by the admin operations; not part of the module's interface.
#pragma once

#include <string>
#include <vector>

#include "admin/admin.h"
#include "store/account.h"

namespace mox::admin {

Result<config::Domain> make_domain_config(const std::string& config_dir, const std::string& domain,
                                          const std::string& account, bool ed25519,
                                          std::vector<std::string>& created_files);
// A new account may not reuse a leftover directory (docs/DESIGN.md
// "Account removal", "Differences from mox").
Status check_new_account_dir(const config::Config& c, const std::string& account);
// Opens an account's store, refusing accounts that are being removed.
Result<store::AccountStore> open_account(const config::Config& c, const std::string& account,
                                         bool create);
// Deletes the data of a removed account if no process uses it (docs/DESIGN.md
// "Shared state between processes"). Returns false (not an error) when the
// account is still in use.
Result<bool> remove_account_data(const config::Config& c, const std::string& account);

}  // namespace mox::admin
