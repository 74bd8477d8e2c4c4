// The loaded configuration: an immutable snapshot of mox.conf + domains.conf
// with derived lookups (docs/DESIGN.md "Code conventions"). Read-only; config
// changes are made by lib/admin, which writes domains.conf and loads a new
// snapshot.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/types.h"
#include "smtp/address.h"
#include "util/result.h"

namespace mox::config {

class Config {
 public:
  // Loads mox.conf at `static_path` and domains.conf beside it; validates both.
  static Result<std::shared_ptr<const Config>> load(const std::string& static_path);
  // Builds a snapshot from in-memory parts (admin changes); validates.
  static Result<std::shared_ptr<const Config>> make(const std::string& static_path, Static st,
                                                    Dynamic dyn);

  const Static& static_config() const { return st_; }
  const Dynamic& dynamic() const { return dyn_; }
  const std::string& static_path() const { return static_path_; }
  const std::string& dynamic_path() const { return dynamic_path_; }
  const std::string& config_dir() const { return config_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  // A path from the config (key files): relative ones are under config_dir().
  std::string config_path(const std::string& p) const;
  std::string account_dir(const std::string& account) const;

  const Domain* domain(std::string_view name) const;
  const Account* account(std::string_view name) const;
  // The account's effective QuotaMessageSize in bytes: its own, else the
  // mox.conf default; 0 when there is no limit (also for -1 in the account).
  int64_t quota_message_size(std::string_view account) const;

 private:
  Config() = default;
  Status finish();  // cross-checks and derived indexes

  std::string static_path_, dynamic_path_, config_dir_, data_dir_;
  Static st_;
  Dynamic dyn_;
  struct Dest {
    std::string account, mailbox;
  };
  std::map<std::string, Dest> address_account_;  // canonical address → destination
  friend class Lookup;
};

// domains.conf(5) LocalpartCatchallSeparators: the localpart used for matching:
// lower-cased unless the domain is case-sensitive, reporting localparts kept,
// cut at the first separator.
std::string canonical_localpart(const Domain& d, std::string_view localpart);
// The canonical address key used for lookups: canonical localpart "@" domain.
std::string canonical_address(const Domain& d, std::string_view localpart, std::string_view domain);

// Address → account, with catchall "@domain" fallback (domains.conf(5)
// LocalpartCatchallSeparators, "Accounts.*.Destinations.*").
struct LookupResult {
  enum class Status { kFound, kDomainUnknown, kDomainDisabled, kNotFound };
  Status status = Status::kNotFound;
  std::string account;
  std::string canonical;  // canonical address that matched ("@domain" for catchall)
  std::string mailbox;    // destination mailbox, "Inbox" if unset
};

class Lookup {
 public:
  explicit Lookup(const Config& c) : c_(c) {}
  LookupResult address(const smtp::Address& a, bool check_domain_disabled,
                       bool allow_postmaster = false) const;
  // Addresses (Destinations keys) of an account.
  std::vector<std::string> account_addresses(const std::string& account) const;

 private:
  const Config& c_;
};

// Serialises configs back to sconf text, as a person would write them.
// Refuses values that the text cannot hold (see write_sconf).
Result<std::string> write_static(const Static& st);
Result<std::string> write_dynamic(const Dynamic& dyn);

// The text of mox.conf / domains.conf for the snapshot `c`, read back before
// it is returned, as a last guard: it must parse, pass every check of
// Config::make together with the other file, and come out the same when the
// result is written again. Only such text may be installed.
Result<std::string> checked_static_text(const Config& c);
Result<std::string> checked_dynamic_text(const Config& c);
Result<Static> parse_static(std::string_view text, const std::string& file);
Result<Dynamic> parse_dynamic(std::string_view text, const std::string& file);

// The config file path from --config, $MOX_CONFIG, or config/mox.conf.
std::string default_config_path(const std::string& flag_value);

}  // namespace mox::config
