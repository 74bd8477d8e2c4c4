// Consistency check between an account's message rows and message files,
// and of the expunged UIDs kept for QRESYNC (store/vanished.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/account.h"
#include "util/result.h"

namespace mox::store {

struct CheckReport {
  std::vector<int64_t> orphan_files;          // file without any row (crash before commit)
  std::vector<int64_t> missing_files;         // row without file
  std::vector<int64_t> vanished_live;         // row whose UID is also listed as expunged
  std::vector<std::string> stale_temp_files;  // paths in ACCOUNT/tmp/ (crash while writing)
  std::vector<std::string> unexpected_files;  // paths under msg/ that name no message
  int64_t removed = 0;                        // files removed by repair

  bool clean() const {
    return orphan_files.empty() && missing_files.empty() && vanished_live.empty() &&
           stale_temp_files.empty() && unexpected_files.empty();
  }
};

// Lists what does not match. With `repair`, removes orphan files and stale
// temp files; rows are never touched, and unexpected files are only reported.
// Waits for message writes in flight to finish and blocks new ones while it
// runs (exclusive lock_message_files()), so a file whose row is about to be
// committed is never taken for an orphan. Must not be called while this
// process itself is inside deliver() for the account.
Result<CheckReport> check_account(AccountStore& account, bool repair);

}  // namespace mox::store
