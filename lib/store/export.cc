#include "store/export.h"

#include <fcntl.h>

#include <cerrno>

#include "store/msgfile.h"
#include "util/fs.h"
#include "util/split.h"

namespace mox::store {

Result<ExportSnapshot> ExportSnapshot::begin(AccountStore& a) {
  MOX_ASSIGN(db::Tx tx, db::Tx::begin_read(a.db()));
  ExportSnapshot s(a, std::move(tx));
  // The first read takes the snapshot.
  MOX_ASSIGN(s.mailboxes_, list_mailboxes(a));
  return s;
}

Result<int64_t> ExportSnapshot::count(int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q,
             a_->db().prepare("SELECT COUNT(*) FROM Message WHERE MailboxID = ? AND Expunged = 0"));
  q.bind(1, mailbox_id);
  MOX_ASSIGN(bool row, q.step());
  return row ? q.col_int(0) : 0;
}

Result<std::vector<ExportRow>> ExportSnapshot::messages(int64_t mailbox_id, int64_t after_uid,
                                                        int limit) {
  MOX_ASSIGN(
      db::Stmt q,
      a_->db().prepare("SELECT ID, UID, Received, Size, Flags, Keywords, MailFrom FROM Message "
                       "WHERE MailboxID = ? AND Expunged = 0 AND UID > ? ORDER BY UID LIMIT ?"));
  q.bind(1, mailbox_id).bind(2, after_uid).bind(3, limit);
  return db::collect(q, [](const db::Stmt& r) {
    ExportRow e;
    std::string keywords;
    r.cols(e.id, e.uid, e.received, e.size, e.flags.bits, keywords, e.mail_from);
    e.flags.keywords = split_nonempty(keywords, ' ');
    return e;
  });
}

Result<UniqueFd> ExportSnapshot::open_file(int64_t id) const {
  std::string path = message_file_path(a_->dir(), id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("open " + path, errno);
  return UniqueFd(fd);
}

Result<std::vector<int64_t>> ExportSnapshot::still_present(const std::vector<int64_t>& ids) {
  std::vector<int64_t> out;
  MOX_ASSIGN(db::Stmt q, a_->db().prepare("SELECT 1 FROM Message WHERE ID = ? AND Expunged = 0"));
  for (int64_t id : ids) {
    q.reset();
    q.bind(1, id);
    MOX_ASSIGN(bool row, q.step());
    if (row) out.push_back(id);
  }
  return out;
}

}  // namespace mox::store
