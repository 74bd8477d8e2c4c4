// The per-IP failed-authentication limiter (mox-smtpd(8) "Authentication";
// docs/DESIGN.md "Shared state between processes"), shared by
// every process through auth.db's AuthFailure table.
//
// Limits, per class of the remote address (auth/ipclass.h, as mox):
//   exact IPv4, or IPv6 /64:   10 failures per minute, 50 per 24 hours
//   IPv4 /26,   or IPv6 /48:   30 per minute,          150 per 24 hours
//   IPv4 /21,   or IPv6 /32:   90 per minute,          450 per 24 hours
// Authentication is refused for an address while any of its classes has
// reached a limit; the protocol then says "421 4.7.0 too many auth failures"
// (submission) or "* BYE too many auth failures" (IMAP).
//
// Storage: one row per failure, keyed by the address's class key
// (IPAddr::key, e.g. "4:c0000201", "6:20010db800000000"), so that the wider
// classes are key ranges (BETWEEN) served by the (IPKey, Time) index, with
// the account the attempt named ("" for an unknown
// username). Windows slide (a failure counts for 60 s, resp. 24 h, after it
// happened); mox uses fixed windows. A success deletes only the failures of
// that address against the account that logged in: a user who mistyped their
// own password starts afresh, but one who owns an account cannot clear their
// guesses at other accounts by logging in to their own between guesses
// (mox's Reset forgets every failure of the address).
//
// Per target account, whatever the address: kAccountPerMinute failures per
// minute and kAccountPerDay per 24 hours against one account lock it for
// addresses that have never logged in to it (a recorded successful
// LoginAttempt, auth/authdb.h); the owner's usual addresses keep working
// while a botnet guesses from many.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4.
//
// Thread- and process-safety: each call is one SQLite statement or one
// transaction; concurrent processes may call these on their own handles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::auth {

// Failures of the narrowest class; a wider class allows IPClass::factor
// times as many.
inline constexpr int64_t kFailuresPerMinute = 10;
inline constexpr int64_t kFailuresPerDay = 50;
inline constexpr int64_t kAccountPerMinute = 30;
inline constexpr int64_t kAccountPerDay = 300;
inline constexpr int64_t kLimiterMinute = 60;
inline constexpr int64_t kLimiterDay = 24 * 60 * 60;

// The AuthFailure key of an address (IPAddr::key): "4:" + 8 hex digits, or
// "6:" + 16 hex digits of the /64. Accepts textual IPv4 and IPv6 (a "%zone"
// suffix is ignored). Errors: kSyntax for anything else.
Result<std::string> limiter_key(std::string_view ip);

// False if the address may not try to authenticate now (a limit reached).
Result<bool> auth_allowed(db::Db& db, std::string_view ip, int64_t now);

// False if `account` may not be tried from `ip` now: its own limit reached
// and `ip` has no successful login to it on record.
Result<bool> account_auth_allowed(db::Db& db, std::string_view account, std::string_view ip,
                                  int64_t now);

// Records a failed authentication against `account` ("" when unknown), and
// prunes this range's expired rows.
Status auth_failed(db::Db& db, std::string_view ip, std::string_view account, int64_t now);

// A successful login to `account`: forgets the address's failures against it.
Status auth_succeeded(db::Db& db, std::string_view ip, std::string_view account);

// Deletes every failure older than 24 hours; returns how many. For the
// periodic cleanup (mox-config cleanup, the queue daemon).
Result<int64_t> prune_auth_failures(db::Db& db, int64_t now);

}  // namespace mox::auth
