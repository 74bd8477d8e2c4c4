#include "queue/verify.h"

namespace mox::queue {

Result<store::CheckReport> check_queue_files(db::Db& db, const std::string& data_dir, bool remove) {
  std::string dir = data_dir + "/queue";
  store::CheckReport r;
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  MOX_ASSIGN(store::FileScan scan, store::scan_message_files(dir));
  r.unexpected_files = std::move(scan.unexpected);
  MOX_TRY(store::compare_files(
      db, "SELECT ID, Size - length(COALESCE(MsgPrefix, x'')) FROM Msg ORDER BY ID", scan, r));
  if (remove) MOX_TRY(store::remove_orphans(dir, r));
  return r;
}

}  // namespace mox::queue
