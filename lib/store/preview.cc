#include "store/preview.h"

#include "message/mime.h"
#include "message/preview.h"
#include "store/msgfile.h"
#include "util/fs.h"

namespace mox::store {

Result<std::string> message_preview(AccountStore& a, int64_t id) {
  {
    MOX_ASSIGN(db::Stmt q, a.db().prepare("SELECT Preview FROM Message WHERE ID = ?1 AND "
                                          "Preview IS NOT NULL AND PreviewVersion >= ?2"));
    q.bind(1, id).bind(2, kPreviewVersion);
    MOX_ASSIGN(bool row, q.step());
    if (row) return q.col_text(0);
  }
  auto data = read_file(message_file_path(a.dir(), id));
  if (!data) return std::string();  // expunged meanwhile
  std::string p = message::preview(*data, message::parse_message(*data));
  MOX_ASSIGN(db::Stmt up,
             a.db().prepare("UPDATE Message SET Preview = ?1, PreviewVersion = ?2 WHERE ID = ?3"));
  MOX_TRY(up.bind(1, p).bind(2, kPreviewVersion).bind(3, id).run());
  return p;
}

}  // namespace mox::store
