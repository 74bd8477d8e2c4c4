// data/auth.db: TLS public keys, login attempts and their per-account
// counters, pending account removals, the shared failed-auth limiter
// (auth/limiter.h) and the servers' open connections (auth/connlimit.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::auth {

Result<db::Db> open_auth_db(const std::string& data_dir);

struct LoginAttempt {
  int64_t last = 0, first = 0, count = 0;
  std::string account_name, login_address, remote_ip, local_ip, tls, tls_pubkey_fingerprint,
      protocol, user_agent, auth_mech, result;
};

// Failed login-attempt rows kept per account (docs/DESIGN.md "Login
// attempts"). Tests lower it, as mox does in its own: the programs take
// MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED (docs/DESIGN.md "Testing").
inline constexpr int64_t kMaxFailedLoginAttempts = 10000;

// Upserts by key (docs/DESIGN.md "Login attempts"); caps failed rows per
// account at `max_failed`.
Status record_login_attempt(db::Db& db, const LoginAttempt& a, int64_t now,
                            int64_t max_failed = kMaxFailedLoginAttempts);
// Most recent first; account "" = all; limit 0 = all.
Result<std::vector<LoginAttempt>> list_login_attempts(db::Db& db, const std::string& account,
                                                      int limit);
// Deletes attempts older than `cutoff` (docs/DESIGN.md "Login attempts": 30
// days), then the oldest failed rows of every account beyond `max_failed`, and
// sets the per-account counters to the failed rows left. Returns the rows
// deleted.
Result<int64_t> cleanup_login_attempts(db::Db& db, int64_t cutoff,
                                       int64_t max_failed = kMaxFailedLoginAttempts);

// Pending account removals (docs/DESIGN.md "Account removal").
Result<std::vector<std::string>> pending_account_removals(db::Db& db);
Status add_account_removal(db::Db& db, const std::string& account);
// Deletes the removal record and everything of the account in auth.db, in one
// transaction (docs/DESIGN.md "Account removal"; the LoginAttemptState row
// too, unlike mox: "Differences from mox").
Status finish_account_removal_rows(db::Db& db, const std::string& account);

struct TLSPublicKey {
  std::string fingerprint, type, name, cert_der, account, login_address;
  bool no_imap_preauth = false;
  int64_t created = 0;
};
// Operations on the keys: auth/tlspubkey.h.

}  // namespace mox::auth
