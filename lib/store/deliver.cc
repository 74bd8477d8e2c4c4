#include "store/deliver.h"

#include <map>
#include <mutex>
#include <tuple>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/mailbox.h"
#include "store/msgfile.h"
#include "store/notify.h"
#include "store/parsed.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::store {
namespace {

// IMAP UIDs are 32-bit (RFC 9051 §2.3.1.1: nz-number up to 4294967295).
constexpr int64_t kMaxUid = 4294967295;

// How message IDs are allocated, and why.
//
// The ID names the file, and the file must be durable before the row is
// committed, so the ID is needed before the row exists. It is taken from the
// counter Account.NextMessageID in its own short BEGIN IMMEDIATE transaction,
// committed before the file is written:
// - Concurrent deliveries, in any number of processes, each get a distinct ID
//   (the write lock serialises only this one UPDATE and its commit), then
//   write and fsync their files in parallel, and take the write lock again
//   only to insert the row. Nobody waits for another's 100 MiB copy or fsync.
// - The counter only grows, and its commit is durable (synchronous=FULL)
//   before the file exists, so an ID is never handed out twice, even after a
//   crash that leaves the file as an orphan: IDs are never reused.
// - A crash leaves a gap in the IDs; nothing depends on them being dense.
// The alternatives were worse: INSERT first and take the rowid would need
// the file renamed into place inside the transaction, holding the account's
// write lock across fsyncs; and an AUTOINCREMENT ID whose transaction rolled
// back is handed out again, to a name that may already hold an orphan file.
// A trigger (migration 2) refuses rows whose ID was not reserved this way.
// IDs are reserved in blocks per process and account, so that a connection
// delivering many messages commits once per message, not twice (bench/).
// Unused IDs of a block are gaps, like those a crash leaves.
constexpr int64_t kIdBlock = 32;

Result<int64_t> reserve_message_id(Db& db, const std::string& account_dir) {
  static std::mutex mu;
  // (dir, instance) → [next, end). The instance changes when an account of
  // the same name is re-created, which makes an old block unusable.
  // The pid is part of the key: a forked child must not use its parent's block.
  static std::map<std::tuple<std::string, std::string, pid_t>, std::pair<int64_t, int64_t>> blocks;
  MOX_ASSIGN(Stmt inst, db.prepare("SELECT Instance FROM Account"));
  MOX_ASSIGN(bool found, inst.step());
  if (!found) return internal_error("account has no Account row");
  std::string instance = inst.col_text(0);
  inst = Stmt();
  std::lock_guard lock(mu);
  auto& b = blocks[{account_dir, instance, ::getpid()}];
  if (b.first < b.second) return b.first++;
  MOX_ASSIGN(Tx tx, Tx::begin(db));
  MOX_ASSIGN(Stmt q, db.prepare("UPDATE Account SET NextMessageID = NextMessageID + ? "
                                "RETURNING NextMessageID - ?"));
  q.bind(1, kIdBlock).bind(2, kIdBlock);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  int64_t id = q.col_int(0);
  q = Stmt();  // finish the statement before COMMIT
  MOX_TRY(tx.commit());
  b = {id + 1, id + kIdBlock};
  return id;
}

Result<int64_t> current_modseq(Db& db) {
  MOX_ASSIGN(Stmt q, db.prepare("SELECT ModSeq FROM Account"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  return q.col_int(0);
}

// Inserts the row for message file `id` and bumps the counters, all in one
// transaction: UID = the mailbox's UIDNext, ModSeq = the account's + 1
// (RFC 7162 §3.1: a new message gets a modseq higher than all before it).
// Sets *committing just before COMMIT: from then on the row may exist even if
// an error comes back, so the caller must keep the file.
Result<Delivered> commit_row(Db& db, const DeliverRequest& req, const std::string& mailbox,
                             int64_t id, int64_t size, const ParsedMessage& parsed,
                             bool* committing) {
  MOX_ASSIGN(Tx tx, Tx::begin(db));
  MOX_ASSIGN(int64_t prev, current_modseq(db));
  Delivered d{id, 0, 0, prev + 1, size};
  MOX_ASSIGN(MailboxRef mb, ensure_mailbox(db, mailbox, req.create_mailbox, d.modseq));
  if (mb.uidnext >= kMaxUid) return Error{ErrorKind::kPermanent, "mailbox has run out of UIDs"};
  d.mailbox_id = mb.id;
  d.uid = mb.uidnext;
  int64_t now = now_unix();
  MOX_ASSIGN(Stmt ins, db.prepare("INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, "
                                  "Received, SaveDate, Size, Flags, Keywords) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, id).bind(2, d.mailbox_id).bind(3, d.uid).bind(4, d.modseq).bind(5, d.modseq);
  ins.bind(6, req.received != 0 ? req.received : now).bind(7, now).bind(8, size);
  ins.bind(9, req.flags.bits).bind(10, keywords_column(req.flags.keywords));
  MOX_TRY(ins.run());
  MOX_TRY(store_parsed(db, id, parsed));
  MOX_ASSIGN(Stmt mbu, db.prepare("UPDATE Mailbox SET UIDNext = ?, ModSeq = ? WHERE ID = ?"));
  MOX_TRY(mbu.bind(1, d.uid + 1).bind(2, d.modseq).bind(3, d.mailbox_id).run());
  MOX_ASSIGN(Stmt acc, db.prepare("UPDATE Account SET ModSeq = ?"));
  MOX_TRY(acc.bind(1, d.modseq).run());
  *committing = true;
  MOX_TRY(tx.commit());
  return d;
}

// Fails early, before any file is written, when the mailbox must exist.
Status check_mailbox_exists(Db& db, const std::string& mailbox) {
  MOX_ASSIGN(Stmt q, db.prepare("SELECT 1 FROM Mailbox WHERE Name = ?"));
  q.bind(1, mailbox);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return not_found("mailbox " + mailbox + " does not exist");
  return {};
}

Result<UniqueFd> open_source(const DeliverRequest& req) {
  if (req.source_fd >= 0) return UniqueFd();  // borrowed, not owned
  UniqueFd fd(::open(req.source_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    int e = errno;
    return Error{e == ENOENT ? ErrorKind::kNotFound : ErrorKind::kInternal,
                 "open " + req.source_path + ": " + std::strerror(e)};
  }
  return fd;
}

}  // namespace

Result<Delivered> deliver(AccountStore& account, const DeliverRequest& req) {
  if (req.source_offset < 0) return user_error("negative source offset");
  if (auto st = check_flags(req.flags); !st) return Error{ErrorKind::kUser, st.error().message};
  MOX_ASSIGN(std::string mailbox, normalize_mailbox_name(req.mailbox));
  if (!req.create_mailbox) MOX_TRY(check_mailbox_exists(account.db(), mailbox));
  MOX_ASSIGN(UniqueFd owned, open_source(req));
  int src = owned.valid() ? owned.get() : req.source_fd;

  const std::string& dir = account.dir();
  MOX_ASSIGN(FileLock files_lock, lock_message_files(dir, FileLock::Mode::kShared));
  MOX_ASSIGN(int64_t id, reserve_message_id(account.db(), dir));
  crashpoint("deliver-after-reserve");
  MOX_ASSIGN(int64_t size, write_message_file(dir, id, req.prefix, src, req.source_offset));
  crashpoint("deliver-after-file");
  // Parsed once, here, from the file just written (in the page cache), for
  // FETCH and SEARCH (store/parsed.h); outside the write transaction.
  auto data = read_file(message_file_path(dir, id));
  if (!data) {
    ::unlink(message_file_path(dir, id).c_str());
    return data.error();
  }
  ParsedMessage parsed = parse_for_index(*data);
  data->clear();
  data->shrink_to_fit();

  bool committing = false;
  auto d = commit_row(account.db(), req, mailbox, id, size, parsed, &committing);
  if (!d) {
    // Rolled back for sure: the file would be an orphan, remove it now. After
    // a failed COMMIT the row may still be durable: keep the file then.
    if (!committing) ::unlink(message_file_path(dir, id).c_str());
    return d;
  }
  files_lock.release();
  crashpoint("deliver-after-commit");
  // The message is delivered; a failed wake-up only delays IDLE sessions
  // until their next command, so it does not fail the delivery.
  (void)notify_account_change(dir);
  return d;
}

}  // namespace mox::store
