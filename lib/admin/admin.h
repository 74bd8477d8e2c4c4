// Operations that change the configuration and the stores together
// (docs/DESIGN.md "Library"): only mox-config links this. Every change to
// domains.conf is made under config/domains.conf.lock on a freshly read config,
// validated in full, then written atomically, so concurrent mox-config runs
// never lose a change.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace mox::admin {

using ConfigPtr = std::shared_ptr<const config::Config>;

// Loads the config, and completes any pending account removals (docs/DESIGN.md
// "Account removal"). Every program calls this at start.
Result<ConfigPtr> load_and_recover(const std::string& static_path);
Status complete_pending_removals(const config::Config& c);

// Removes message files without a row from every account (store/check.h):
// what a crash or kill -9 left between writing a file and committing its row,
// and the empty files a killed mox-smtpd had made in advance
// (store/shared.h). Waits for deliveries in flight. Returns how many.
Result<int64_t> remove_orphan_message_files(const config::Config& c);

// Locks, re-reads domains.conf, applies `change` to a copy, validates and
// writes it. Returns the new snapshot.
Result<ConfigPtr> change_dynamic(const std::string& static_path,
                                 const std::function<Status(config::Dynamic&)>& change);

struct DomainAddOptions {
  bool disabled = false;
  bool ed25519 = false;
};
Status domain_add(const std::string& cfg, const std::string& domain, const std::string& account,
                  const std::string& localpart, const DomainAddOptions& opts);
Status domain_rm(const std::string& cfg, const std::string& domain);
Status domain_set_disabled(const std::string& cfg, const std::string& domain, bool disabled);

Status account_add(const std::string& cfg, const std::string& account, const std::string& address);
Status account_rm(const std::string& cfg, const std::string& account);
// message "" enables logins again.
Status account_set_login_disabled(const std::string& cfg, const std::string& account,
                                  const std::string& message);
Status account_set_password(const std::string& cfg, const std::string& account,
                            const std::string& password);
Result<std::string> account_generate_password(const std::string& cfg, const std::string& account);

Status address_add(const std::string& cfg, const std::string& address, const std::string& account);
Status address_rm(const std::string& cfg, const std::string& address);
Result<std::string> address_account(const config::Config& c, const std::string& address);

// Zone-file lines for a domain (MX, SPF, DMARC, TLSRPT, DKIM, SRV hints).
Result<std::string> dns_records(const config::Config& c, const std::string& domain);
// Problems found in the config's files (keys, certificates); empty if none.
std::vector<std::string> check_files(const config::Config& c);

struct QuickstartOptions {
  std::string dir = ".";  // config/ and data/ are created below it
  std::string hostname;   // default: "mail." + the address's domain
  std::string user;       // User in mox.conf
  bool local = false;     // listen on 127.0.0.1 with high ports
};
struct QuickstartResult {
  std::string config_path, account, address, password, dns_records;
};
Result<QuickstartResult> quickstart(const std::string& address, const QuickstartOptions& opts);

// Test hook: the year used for new DKIM selector names (default: now).
int current_year();

}  // namespace mox::admin
