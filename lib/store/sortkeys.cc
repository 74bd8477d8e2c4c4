#include "store/sortkeys.h"

#include <fcntl.h>

#include <algorithm>

#include "message/header.h"
#include "store/msgfile.h"
#include "util/unique_fd.h"

namespace mox::store {
namespace {

// Messages whose keys are computed per transaction by load_sort_keys().
constexpr size_t kKeysBatch = 256;

// The columns of the keys, in the order of bind_keys() and read_keys().
constexpr const char* kColumns =
    "SentDate, SortSubject, SubjectReply, SortFrom, SortTo, SortCc, DisplayFrom, DisplayTo, "
    "ThreadMessageID, ThreadReferences";

std::string join(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t sp = s.find(' ', i);
    if (sp == std::string::npos) sp = s.size();
    if (sp > i) out.push_back(s.substr(i, sp - i));
    i = sp + 1;
  }
  return out;
}

// Reads the columns of kColumns in `fields` (SortField bits) from column
// `first` on.
message::SortKeys read_keys(const db::Stmt& q, int first, unsigned fields) {
  message::SortKeys k;
  if ((fields & kSortSent) && !q.col_null(first)) k.sent = q.col_int(first);
  if (fields & kSortSubject) q.cols_from(first + 1, k.subject, k.reply);
  const std::pair<SortField, std::string*> strings[] = {{kSortFrom, &k.from},
                                                        {kSortTo, &k.to},
                                                        {kSortCc, &k.cc},
                                                        {kSortDisplayFrom, &k.display_from},
                                                        {kSortDisplayTo, &k.display_to},
                                                        {kSortThread, &k.message_id}};
  int col = first + 3;
  for (const auto& [bit, s] : strings) {
    if (fields & bit) *s = q.col_text(col);
    ++col;
  }
  if (fields & kSortThread) k.references = split(q.col_text(first + 9));
  return k;
}

// The keys of the message file `id`, from its header alone; empty keys when
// the file is gone (expunged meanwhile) or its header does not parse.
message::SortKeys keys_of_file(const std::string& account_dir, int64_t id) {
  UniqueFd fd(::open(message_file_path(account_dir, id).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  auto h = message::read_header(fd.get(), 0);
  return h ? message::sort_keys(*h) : message::SortKeys{};
}

// Computes and stores the keys of `rows[i]` for each i in `stale`.
Status backfill(AccountStore& a, std::vector<SortRow>& rows, const std::vector<int64_t>& ids,
                const std::vector<size_t>& stale) {
  for (size_t b = 0; b < stale.size(); b += kKeysBatch) {
    size_t end = std::min(stale.size(), b + kKeysBatch);
    for (size_t i = b; i < end; ++i) rows[stale[i]].keys = keys_of_file(a.dir(), ids[stale[i]]);
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(a.db()));
    for (size_t i = b; i < end; ++i) {
      MOX_TRY(store_sort_keys(a.db(), ids[stale[i]], rows[stale[i]].keys));
    }
    MOX_TRY(tx.commit());
  }
  return {};
}

}  // namespace

message::SortKeys sort_keys_of(std::string_view message, const message::Parsed* parsed) {
  if (parsed && parsed->size == message.size() && parsed->fields()) {
    return message::sort_keys(*parsed->fields());
  }
  auto h = message::parse_header(message);
  return h ? message::sort_keys(*h) : message::SortKeys{};
}

Result<message::SortKeys> delivered_sort_keys(const std::string& account_dir, int64_t id,
                                              int64_t size, const DeliverRequest& req) {
  if (req.parsed && req.parsed->size == static_cast<size_t>(size) && req.parsed->fields()) {
    return message::sort_keys(*req.parsed->fields());
  }
  return keys_of_file(account_dir, id);
}

Status store_sort_keys(db::Db& db, int64_t id, const message::SortKeys& k) {
  MOX_ASSIGN(db::Stmt up, db.prepare(std::string("UPDATE Message SET SortVersion = ?, (") +
                                     kColumns + ") = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE ID = ?"));
  up.bind(1, kSortKeysVersion);
  if (k.sent) {
    up.bind(2, *k.sent);
  } else {
    up.bind_null(2);
  }
  up.bind(3, k.subject).bind(4, int64_t{k.reply}).bind(5, k.from).bind(6, k.to).bind(7, k.cc);
  up.bind(8, k.display_from).bind(9, k.display_to).bind(10, k.message_id);
  return up.bind(11, join(k.references)).bind(12, id).run();
}

Status copy_sort_keys(db::Db& db, int64_t from, int64_t to) {
  MOX_ASSIGN(db::Stmt up, db.prepare(std::string("UPDATE Message SET (SortVersion, ") + kColumns +
                                     ") = (SELECT SortVersion, " + kColumns +
                                     " FROM Message WHERE ID = ?1) WHERE ID = ?2"));
  return up.bind(1, from).bind(2, to).run();
}

Result<std::vector<SortRow>> load_sort_keys(AccountStore& a, int64_t mailbox_id, unsigned fields) {
  std::vector<SortRow> rows;
  std::vector<int64_t> ids;
  std::vector<size_t> stale;
  {
    MOX_ASSIGN(db::Stmt q,
               a.db().prepare(std::string("SELECT UID, ID, SortVersion >= ?2, ") + kColumns +
                              " FROM Message WHERE MailboxID = ?1 AND Expunged = 0 "
                              "ORDER BY UID"));
    q.bind(1, mailbox_id).bind(2, kSortKeysVersion);
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      if (q.col_int(2) == 0) stale.push_back(rows.size());
      rows.push_back({q.col_int(0), read_keys(q, 3, fields)});
      ids.push_back(q.col_int(1));
    }
  }
  if (!stale.empty()) MOX_TRY(backfill(a, rows, ids, stale));
  return rows;
}

}  // namespace mox::store
