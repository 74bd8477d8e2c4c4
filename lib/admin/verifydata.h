// mox-config verifydata [--fix] (mox-config(8) "VERIFYDATA"): checks every
// database and message file of the data directory, as the servers left
// them, while they run:
//  - PRAGMA integrity_check of auth.db, queue/index.db and every account's
//    index.db;
//  - every account (store/check.h): each message row has its file, of the
//    size in the row; files without a row (orphans), stale temp files,
//    files under msg/ that name no message; the rules between the rows
//    (store/invariants.h);
//  - the queue (queue/verify.h): each queued message has its file;
//  - directories under data/accounts/ that no account of domains.conf uses;
//  - spool files in data/tmp/ older than a day (left by a crash).
// With `fix`, orphan, temp and stale spool files are removed and the counters the rows
// determine are repaired; what cannot be repaired (a missing or damaged
// message file, a broken database) is only reported: restore it from a
// backup. Empty files without a row are not findings: a running server makes
// them in advance (store/idblocks.h); with `fix` they are removed too (the
// server makes them again), as `mox-config cleanup` does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace mox::admin {

struct Finding {
  std::string scope;    // "account alice", "queue", "auth.db", "data"
  std::string account;  // the account, if any
  std::string kind;     // e.g. "file-missing", "orphan-file"; stable for scripts
  std::string subject;  // "message 123", "file msg/a/124", "index.db"
  std::string text;     // what is wrong
  int64_t message_id = 0;
  bool fixed = false;

  // "account alice: message 123: file missing"
  std::string line() const;
};

struct VerifyResult {
  std::vector<Finding> findings;
  int64_t databases = 0, accounts = 0;
  int64_t empty_removed = 0;  // empty files without a row removed (fix)

  // Whether something is left that was not fixed.
  bool unfixed() const;
};

Result<VerifyResult> verify_data(const config::Config& c, bool fix);

}  // namespace mox::admin
