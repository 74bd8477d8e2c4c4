// Consistency check between an account's message rows and message files
// (every row has its file, of the size in the row; no file without a row),
// of the expunged UIDs kept for QRESYNC (store/vanished.h), and of the
// rules between the rows (store/invariants.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/account.h"
#include "store/invariants.h"
#include "util/result.h"

namespace mox::store {

// A message file whose size is not the Size of its row (truncated, or
// changed after it was written).
struct SizeMismatch {
  int64_t id = 0, row_size = 0, file_size = 0;
};

struct CheckReport {
  std::vector<int64_t> orphan_files;  // file without any row (crash before commit)
  // Those of orphan_files that are empty: made in advance by a server
  // (store/idblocks.h), so also found while servers run; or left by a crash.
  std::vector<int64_t> empty_orphan_files;
  std::vector<int64_t> missing_files;         // row without file
  std::vector<int64_t> vanished_live;         // row whose UID is also listed as expunged
  std::vector<std::string> stale_temp_files;  // paths in ACCOUNT/tmp/ (crash while writing)
  std::vector<std::string> unexpected_files;  // paths under msg/ that name no message
  std::vector<SizeMismatch> size_mismatches;
  std::vector<Problem> problems;  // broken rules between rows (store/invariants.h)
  int64_t removed = 0;            // files removed by repair

  bool clean() const {
    return orphan_files.empty() && missing_files.empty() && vanished_live.empty() &&
           stale_temp_files.empty() && unexpected_files.empty() && size_mismatches.empty() &&
           problems.empty();
  }
};

struct CheckOptions {
  bool remove_files = false;  // remove orphan files and stale temp files
  bool fix_counters = false;  // repair what store/invariants.h can repair
};

// Lists what does not match. With `repair`, removes orphan files and stale
// temp files; rows are never touched, and unexpected files are only reported.
// Waits for message writes in flight to finish and blocks new ones while it
// runs (exclusive lock_message_files()), so a file whose row is about to be
// committed is never taken for an orphan. Must not be called while this
// process itself is inside deliver() for the account.
// The rules between rows are checked after the lock is released.
Result<CheckReport> check_account(AccountStore& account, const CheckOptions& options);
inline Result<CheckReport> check_account(AccountStore& account, bool repair) {
  return check_account(account, CheckOptions{repair, false});
}

// The building blocks, for other directories of message files (the queue's,
// queue/verify.h).

// The message files under DIR/msg, and paths there that name no message.
struct FileScan {
  std::vector<std::pair<int64_t, int64_t>> files;  // (ID, size), sorted by ID
  std::vector<std::string> unexpected;
};
Result<FileScan> scan_message_files(const std::string& dir);

// Compares `scan` with the rows of `rows_sql`, which selects (ID, size the
// file must have) ordered by ID: fills orphan_files, empty_orphan_files,
// missing_files and size_mismatches of `r`.
Status compare_files(db::Db& db, std::string_view rows_sql, const FileScan& scan, CheckReport& r);

// Removes the orphan files and stale temp files of `r` from DIR (fsyncing
// the directories), counting them in r.removed.
Status remove_orphans(const std::string& dir, CheckReport& r);

}  // namespace mox::store
