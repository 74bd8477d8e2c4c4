#include "store/deliver.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "store/deliver_internal.h"
#include "store/idblocks.h"
#include "store/mailbox.h"
#include "store/msgfile.h"
#include "store/notify.h"
#include "store/parsed.h"
#include "store/quota.h"
#include "store/vanished.h"
#include "util/fs.h"

namespace mox::store {
namespace {

// IMAP UIDs are 32-bit (RFC 9051 §2.3.1.1: nz-number up to 4294967295).
constexpr int64_t kMaxUid = 4294967295;

Result<int64_t> current_modseq(db::Db& db) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT ModSeq FROM Account"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  return q.col_int(0);
}

// Inserts the row for message file `id` with the given modseq: UID = the
// mailbox's UIDNext (RFC 7162 §3.1: a new message gets a modseq higher than
// all before it). Runs inside the caller's transaction.
Result<Delivered> insert_row(db::Db& db, const PendingRow& r, int64_t modseq) {
  Delivered d{r.id, 0, 0, modseq, r.size};
  // In the transaction that adds the row: a concurrent delivery's row is
  // either committed and counted here, or waits for this one (quota.h).
  MOX_TRY(check_quota(db, r.quota, r.size));
  MOX_ASSIGN(MailboxRef mb, ensure_mailbox(db, r.mailbox, r.create_mailbox, d.modseq));
  if (mb.uidnext >= kMaxUid) return Error{ErrorKind::kPermanent, "mailbox has run out of UIDs"};
  d.mailbox_id = mb.id;
  d.uid = mb.uidnext;
  int64_t now = db::now_unix();
  MOX_ASSIGN(db::Stmt ins,
             db.prepare("INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, "
                        "Received, SaveDate, Size, Flags, Keywords) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, r.id).bind(2, d.mailbox_id).bind(3, d.uid).bind(4, d.modseq).bind(5, d.modseq);
  ins.bind(6, r.received != 0 ? r.received : now).bind(7, now).bind(8, r.size);
  ins.bind(9, r.flags.bits).bind(10, keywords_column(r.flags.keywords));
  MOX_TRY(ins.run());
  if (r.parsed) MOX_TRY(store_parsed(db, r.id, *r.parsed));
  if (r.forms) MOX_TRY(store_fetch_forms(db, r.id, *r.forms));
  if (r.auth) MOX_TRY(store_message_auth(db, r.id, *r.auth));
  if (r.sort) MOX_TRY(store_sort_keys(db, r.id, *r.sort));
  MOX_ASSIGN(db::Stmt mbu, db.prepare("UPDATE Mailbox SET UIDNext = ?, ModSeq = ? WHERE ID = ?"));
  MOX_TRY(mbu.bind(1, d.uid + 1).bind(2, d.modseq).bind(3, d.mailbox_id).run());
  return d;
}

// insert_row() inside a savepoint when the batch has more than one row, so
// that a failing row is undone alone. A failure of the savepoint itself
// leaves the transaction in an unknown state: *broken is set then.
Result<Delivered> insert_in_savepoint(db::Db& db, const PendingRow& r, int64_t modseq, bool alone,
                                      bool* broken) {
  if (alone) return insert_row(db, r, modseq);
  if (auto st = db.exec("SAVEPOINT delivery"); !st) {
    *broken = true;
    return std::move(st).error();
  }
  auto d = insert_row(db, r, modseq);
  if (!d && !db.exec("ROLLBACK TO delivery")) *broken = true;
  if (!db.exec("RELEASE delivery")) *broken = true;
  return d;
}

Status check_mailbox_exists(db::Db& db, const std::string& mailbox) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT 1 FROM Mailbox WHERE Name = ?"));
  q.bind(1, mailbox);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return not_found("mailbox " + mailbox + " does not exist");
  return {};
}

}  // namespace

Result<CheckedRequest> check_request(db::Db* db, const DeliverRequest& req) {
  if (req.source_offset < 0) return user_error("negative source offset");
  if (auto st = check_flags(req.flags); !st) return Error{ErrorKind::kUser, st.error().message};
  CheckedRequest c;
  MOX_ASSIGN(c.mailbox, normalize_mailbox_name(req.mailbox));
  // Fails early, before any file is written, when the mailbox must exist.
  if (!req.create_mailbox) MOX_TRY(check_mailbox_exists(*db, c.mailbox));
  if (req.source_data) {
    c.src.data = req.source_data;
    return c;
  }
  c.src.offset = req.source_offset;
  if (req.source_fd >= 0) {
    c.src.fd = req.source_fd;  // borrowed, not owned
    return c;
  }
  c.owned = UniqueFd(::open(req.source_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!c.owned.valid()) {
    int e = errno;
    return Error{e == ENOENT ? ErrorKind::kNotFound : ErrorKind::kInternal,
                 "open " + req.source_path + ": " + std::strerror(e)};
  }
  c.src.fd = c.owned.get();
  return c;
}

Result<std::string> written_message(const std::string& account_dir, int64_t id,
                                    const DeliverRequest& req) {
  if (req.source_data) return req.prefix + std::string(*req.source_data);
  return read_file(message_file_path(account_dir, id));
}

void commit_rows(db::Db& db, const std::vector<PendingRow*>& rows) {
  auto fail_all = [&](const Error& e) {
    for (PendingRow* r : rows) {
      if (!r->result || r->result->ok()) r->result = e;
    }
  };
  auto tx = db::Tx::begin(db);
  if (!tx) return fail_all(tx.error());
  auto prev = current_modseq(db);
  if (!prev) return fail_all(prev.error());
  int64_t modseq = *prev;
  bool broken = false;
  std::vector<PendingRow*> inserted;
  for (PendingRow* r : rows) {
    r->result = insert_in_savepoint(db, *r, modseq + 1, rows.size() == 1, &broken);
    if (broken)
      return fail_all(r->result->ok() ? internal_error("savepoint failed") : r->result->error());
    if (r->result->ok()) {
      ++modseq;
      inserted.push_back(r);
    }
  }
  if (inserted.empty()) return;  // the transaction rolls back
  auto acc = db.prepare("UPDATE Account SET ModSeq = ?");
  Status st = acc ? acc->bind(1, modseq).run() : Status(acc.error());
  if (!st) return fail_all(st.error());
  *acc = db::Stmt();
  // From here on a row may exist even if an error comes back: keep its file.
  for (PendingRow* r : inserted) r->committing = true;
  if (st = tx->commit(); !st) {
    for (PendingRow* r : inserted) r->result = st.error();
  }
}

void parse_into_row(PendingRow& row, std::string_view data, const message::Parsed* parsed) {
  row.parsed = parsed ? index_form(data, *parsed) : parse_for_index(data);
  row.sort = sort_keys_of(data, parsed);
}

Status remove_delivered(db::Db& db, const std::string& account_dir, const Delivered& d) {
  {
    MOX_ASSIGN(db::Stmt q, db.prepare("SELECT 1 FROM Message WHERE ID = ? AND MailboxID = ?"));
    MOX_ASSIGN(bool there, q.bind(1, d.id).bind(2, d.mailbox_id).step());
    if (!there) return not_found("message " + std::to_string(d.id) + " is not there");
  }
  return remove_delivered(db, account_dir, std::vector<Delivered>{d});
}

Status remove_delivered(db::Db& db, const std::string& account_dir,
                        const std::vector<Delivered>& ds) {
  constexpr size_t kChunk = 1000;
  std::map<int64_t, std::vector<Delivered>> by_mailbox;
  for (const Delivered& d : ds) by_mailbox[d.mailbox_id].push_back(d);
  for (const auto& [mailbox_id, all] : by_mailbox) {
    for (size_t i = 0; i < all.size(); i += kChunk) {
      std::vector<ExpungedRow> rows;
      {
        MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
        MOX_ASSIGN(int64_t prev, current_modseq(db));
        int64_t modseq = prev + 1;
        MOX_ASSIGN(db::Stmt q, db.prepare("SELECT 1 FROM Message WHERE ID = ? AND MailboxID = ?"));
        for (size_t k = i; k < std::min(all.size(), i + kChunk); k++) {
          q.reset();
          MOX_ASSIGN(bool there, q.bind(1, all[k].id).bind(2, mailbox_id).step());
          if (there) rows.push_back({all[k].uid, all[k].id});
        }
        q = db::Stmt();
        if (rows.empty()) continue;
        // The rows go with their search text (indexed meanwhile, maybe, by
        // SharedAccount's indexer); their UIDs stay for QRESYNC's VANISHED
        // (store/vanished.h).
        MOX_TRY(remove_messages(db, mailbox_id, rows, modseq));
        MOX_ASSIGN(db::Stmt mb, db.prepare("UPDATE Mailbox SET ModSeq = ? WHERE ID = ?"));
        MOX_TRY(mb.bind(1, modseq).bind(2, mailbox_id).run());
        MOX_ASSIGN(db::Stmt acc, db.prepare("UPDATE Account SET ModSeq = ?"));
        MOX_TRY(acc.bind(1, modseq).run());
        MOX_TRY(tx.commit());
      }
      for (const ExpungedRow& r : rows) ::unlink(message_file_path(account_dir, r.id).c_str());
    }
  }
  (void)notify_account_change(account_dir);
  return {};
}

Result<Delivered> deliver(AccountStore& account, const DeliverRequest& req) {
  db::Db& db = account.db();
  MOX_ASSIGN(CheckedRequest c, check_request(&db, req));
  const std::string& dir = account.dir();
  IdBlocks& ids = account.message_ids();
  MOX_ASSIGN(FileLock files_lock, lock_message_files(dir, FileLock::Mode::kShared));
  // The AccountStore is used by this thread only: its database is ours.
  MOX_ASSIGN(int64_t id, ids.take([&db](const auto& use) { return use(db); }));
  crashpoint("deliver-after-reserve");
  MOX_ASSIGN(int64_t size, create_message_file(dir, id, req.prefix, c.src, ids.dirs()));
  std::string path = message_file_path(dir, id);
  if (auto st = fsync_dir(message_dir_path(dir, id)); !st) {
    ::unlink(path.c_str());
    return std::move(st).error();
  }
  crashpoint("deliver-after-file");
  // Parsed once, for FETCH and SEARCH (store/parsed.h), outside any write
  // transaction.
  auto data = written_message(dir, id, req);
  if (!data) {
    ::unlink(path.c_str());
    return data.error();
  }

  PendingRow row{c.mailbox, req.create_mailbox, req.received, req.flags, id, size, {}, false};
  row.quota = req.quota;
  row.auth = req.auth;
  // Not parsed again when the caller parsed it (DeliverRequest::parsed).
  parse_into_row(row, *data, req.parsed.get());
  commit_rows(db, {&row});
  if (!row.result->ok()) {
    // Rolled back for sure: the file would be an orphan, remove it now. After
    // a failed COMMIT the row may still be durable: keep the file then.
    if (!row.committing) ::unlink(path.c_str());
    return *row.result;
  }
  files_lock.release();
  crashpoint("deliver-after-commit");
  // The message is delivered; a failed wake-up only delays IDLE sessions
  // until their next command, so it does not fail the delivery.
  (void)notify_account_change(dir);
  return *row.result;
}

Status undeliver(AccountStore& account, const Delivered& d) {
  return remove_delivered(account.db(), account.dir(), d);
}

}  // namespace mox::store
