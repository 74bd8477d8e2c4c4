// The outgoing queue's files against its rows (mox-config(8) verifydata):
// every queued message (Msg) has its file data/queue/msg/<dir>/<id>, of its
// Size less the DKIM-Signature fields kept in the row (MsgPrefix: the file
// holds the rest, queue/queuedb.h); a file without a queued message is an
// orphan. Retired messages (MsgRetired) have no file.
//
// Runs holding the queue's write lock: add_message() writes a file and
// commits its row in one write transaction (queue/queuedb.cc), so no file is
// in flight meanwhile and none is taken for an orphan.
#pragma once

#include <string>

#include "db/sqlite.h"
#include "store/check.h"
#include "util/result.h"

namespace mox::queue {

// The report's orphan_files, missing_files, size_mismatches and
// unexpected_files (paths); with `remove`, orphans are removed.
Result<store::CheckReport> check_queue_files(db::Db& db, const std::string& data_dir, bool remove);

}  // namespace mox::queue
