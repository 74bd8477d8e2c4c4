// The real credential lookup for the SASL mechanisms (sasl::Credentials):
// usernames resolved through the loaded config, passwords read from the
// account stores.
//
// Which usernames log in (mox-smtpd(8) "Authentication"; decided here):
//   - any address of the account, parsed as smtp::Address, also with a
//     catchall-separator suffix ("mjl+tag@example.com") and in any case when
//     the domain is not case-sensitive: the canonical address must be one of
//     the account's Destinations;
//   - NOT an arbitrary localpart matched only by a domain catchall
//     destination ("@example.com"), nor the postmaster fallback: mox's
//     LookupAddress falls through to the catchall, which lets any made-up
//     address log in to the catchall account and files every typo as that
//     account's failed attempt. A deliberate difference from mox;
//   - not the account name (mox neither);
//   - accounts with a pending removal (AccountRemove row in auth.db) are
//     unknown, like lib/admin's open_account (which servers must not link);
//   - a disabled domain does not prevent login (mox-smtpd(8) "Submission").
// No NFC normalisation (no ICU): usernames are compared as parsed.
//
// Each lookup opens the account's store with its shared lock (docs/DESIGN.md
// "Shared state between processes") only long enough to read the password
// record. Thread-safety: one thread at a time (the auth.db handle is not
// shared).
#pragma once

#include <string>

#include "config/config.h"
#include "db/sqlite.h"
#include "sasl/credentials.h"

namespace mox::auth {

class AccountCredentials final : public sasl::Credentials {
 public:
  // Both must outlive this object; auth_db is data/auth.db (open_auth_db).
  // With `remote_ip`, an account locked by its own failure limit
  // (auth/limiter.h account_auth_allowed) is unknown to that address.
  AccountCredentials(const config::Config& config, db::Db& auth_db, std::string remote_ip = {})
      : config_(config), auth_db_(auth_db), remote_ip_(std::move(remote_ip)) {}

  // Errors: kNotFound for a malformed, unknown or removed username (message
  // without the username's secrets, which it has none of, but also without
  // distinguishing the cases); kInternal/kTemporary for database errors.
  Result<sasl::AuthUser> lookup(std::string_view username) override;

 private:
  const config::Config& config_;
  db::Db& auth_db_;
  std::string remote_ip_;
};

// The account that the login address `username` belongs to, by the rules
// above (without the pending-removal check). Errors: kNotFound.
Result<std::string> login_address_account(const config::Config& config, std::string_view username);

// True if auth.db records a pending removal of the account (docs/DESIGN.md
// "Account removal").
Result<bool> account_removal_pending(db::Db& auth_db, const std::string& account);

}  // namespace mox::auth
