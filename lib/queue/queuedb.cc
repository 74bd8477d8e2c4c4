#include "queue/queuedb.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "queue/suppress.h"
#include "store/msgfile.h"
#include "store/msgpath.h"
#include "store/notify.h"
#include "util/fs.h"

namespace mox::queue {
namespace {

// Columns shared by Msg and MsgRetired.
#define MOX_QUEUE_MSG_COLUMNS                                                       \
  "BaseID INTEGER NOT NULL DEFAULT 0, Queued INTEGER NOT NULL, "                    \
  "Hold INTEGER NOT NULL DEFAULT 0, SenderAccount TEXT NOT NULL, "                  \
  "SenderLocalpart TEXT NOT NULL, SenderDomain TEXT NOT NULL, "                     \
  "FromID TEXT NOT NULL DEFAULT '', RecipientLocalpart TEXT NOT NULL, "             \
  "RecipientDomain TEXT NOT NULL, Attempts INTEGER NOT NULL DEFAULT 0, "            \
  "MaxAttempts INTEGER NOT NULL DEFAULT 0, DialedIPs TEXT NOT NULL DEFAULT '{}', "  \
  "NextAttempt INTEGER NOT NULL, LastAttempt INTEGER, "                             \
  "Results TEXT NOT NULL DEFAULT '[]', Has8bit INTEGER NOT NULL DEFAULT 0, "        \
  "SMTPUTF8 INTEGER NOT NULL DEFAULT 0, IsDMARCReport INTEGER NOT NULL DEFAULT 0, " \
  "IsTLSReport INTEGER NOT NULL DEFAULT 0, Size INTEGER NOT NULL, "                 \
  "MessageID TEXT NOT NULL DEFAULT '', MsgPrefix BLOB, "                            \
  "Subject TEXT NOT NULL DEFAULT '', DSNUTF8 BLOB, "                                \
  "Transport TEXT NOT NULL DEFAULT '', RequireTLS INTEGER, "                        \
  "FutureReleaseRequest TEXT NOT NULL DEFAULT '', Extra TEXT NOT NULL DEFAULT '{}'"

const std::vector<std::string> kMigrations = {
    "CREATE TABLE Msg (ID INTEGER PRIMARY KEY, " MOX_QUEUE_MSG_COLUMNS
    ", LeaseOwner TEXT NOT NULL DEFAULT '', LeaseUntil INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX MsgNextAttempt ON Msg(NextAttempt);"
    "CREATE INDEX MsgSenderAccount ON Msg(SenderAccount);"
    "CREATE TABLE MsgRetired (ID INTEGER PRIMARY KEY, " MOX_QUEUE_MSG_COLUMNS
    ", LastActivity INTEGER NOT NULL, Success INTEGER NOT NULL, KeepUntil INTEGER NOT NULL);"
    "CREATE INDEX MsgRetiredSenderAccount ON MsgRetired(SenderAccount);"
    "CREATE INDEX MsgRetiredKeepUntil ON MsgRetired(KeepUntil);"
    "CREATE TABLE Suppression (ID INTEGER PRIMARY KEY, Created INTEGER NOT NULL, "
    "Account TEXT NOT NULL, BaseAddress TEXT NOT NULL, OriginalAddress TEXT NOT NULL, "
    "Manual INTEGER NOT NULL DEFAULT 0, Reason TEXT NOT NULL DEFAULT '', "
    "UNIQUE(Account, BaseAddress));"
    "CREATE TABLE HoldRule (ID INTEGER PRIMARY KEY, Account TEXT NOT NULL DEFAULT '', "
    "SenderDomain TEXT NOT NULL DEFAULT '', RecipientDomain TEXT NOT NULL DEFAULT '');",
    // Send limits per account (queue/sendlimit.h).
    "CREATE TABLE Outgoing (ID INTEGER PRIMARY KEY, Account TEXT NOT NULL, "
    "Recipient TEXT NOT NULL, Submitted INTEGER NOT NULL);"
    "CREATE INDEX OutgoingAccountSubmitted ON Outgoing(Account, Submitted);"
    "CREATE TABLE OutgoingRecipient (Account TEXT NOT NULL, Recipient TEXT NOT NULL, "
    "First INTEGER NOT NULL, PRIMARY KEY (Account, Recipient));"
    "CREATE INDEX OutgoingRecipientAccountFirst ON OutgoingRecipient(Account, First);",
};

// The recipients as the send limits count them.
std::vector<std::string> recipient_addresses(const NewMessage& m) {
  std::vector<std::string> out;
  for (const auto& r : m.recipients) out.push_back(r.localpart + "@" + r.domain);
  return out;
}

// IDs are never reused while a retired message holds one (Msg has no
// AUTOINCREMENT): the next ID is above both tables' largest.
constexpr const char* kNextIdSql =
    "(SELECT 1 + max(coalesce((SELECT max(ID) FROM Msg), 0), "
    "coalesce((SELECT max(ID) FROM MsgRetired), 0)))";

}  // namespace

Result<db::Db> open_queue_db(const std::string& data_dir) {
  MOX_TRY(mkdir_all(data_dir + "/queue/msg", 0770));
  return db::Db::open(data_dir + "/queue/index.db", kMigrations);
}

std::string queue_message_path(const std::string& data_dir, int64_t id) {
  return store::message_file_path(data_dir + "/queue", id);
}

Result<std::vector<QueuedSender>> queued_senders(db::Db& db, const std::string& account) {
  MOX_ASSIGN(auto q, db.prepare("SELECT ID, SenderLocalpart, SenderDomain FROM Msg "
                                "WHERE SenderAccount=? ORDER BY ID"));
  q.bind(1, account);
  return db::collect(q, [](const db::Stmt& r) {
    return QueuedSender{r.col_int(0), r.col_text(1), r.col_text(2)};
  });
}

Result<int64_t> fail_account_messages(db::Db& db, const std::string& data_dir,
                                      const std::string& account, const std::string& reason,
                                      int64_t keep_retired_seconds, int64_t now) {
  MOX_ASSIGN(auto senders, queued_senders(db, account));
  if (senders.empty()) return int64_t{0};
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  if (keep_retired_seconds > 0) {
    MOX_ASSIGN(auto ins,
               db.prepare("INSERT INTO MsgRetired SELECT ID, BaseID, Queued, Hold, "
                          "SenderAccount, SenderLocalpart, SenderDomain, FromID, "
                          "RecipientLocalpart, RecipientDomain, Attempts, MaxAttempts, "
                          "DialedIPs, NextAttempt, ?2, json_insert(Results, '$[#]', "
                          "json_object('Start', ?2, 'Success', json('false'), 'Error', ?3)), "
                          "Has8bit, SMTPUTF8, IsDMARCReport, IsTLSReport, Size, MessageID, "
                          "MsgPrefix, Subject, DSNUTF8, Transport, RequireTLS, "
                          "FutureReleaseRequest, Extra, ?2, 0, ?4 "
                          "FROM Msg WHERE SenderAccount=?1"));
    MOX_TRY(ins.bind(1, account)
                .bind(2, now)
                .bind(3, reason)
                .bind(4, now + keep_retired_seconds)
                .run());
  }
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM Msg WHERE SenderAccount=?"));
  MOX_TRY(del.bind(1, account).run());
  MOX_TRY(tx.commit());
  // Files after the commit: a crash in between leaves orphan files, never rows
  // without files.
  for (const auto& s : senders) ::unlink(queue_message_path(data_dir, s.id).c_str());
  return static_cast<int64_t>(senders.size());
}

Result<int64_t> remove_account_suppressions(db::Db& db, const std::string& account) {
  MOX_ASSIGN(auto q, db.prepare("DELETE FROM Suppression WHERE Account=?"));
  MOX_TRY(q.bind(1, account).run());
  return static_cast<int64_t>(db.changes());
}

Result<SendLimitCheck> check_send_limits(db::Db& db, const NewMessage& m, int64_t now) {
  if (!m.limits) return SendLimitCheck{};
  return check_send_limits(db, m.sender_account, recipient_addresses(m), *m.limits, now);
}

Result<Queued> add_message(db::Db& db, const std::string& data_dir, const NewMessage& m,
                           int64_t now) {
  if (m.recipients.empty()) return user_error("no recipients");
  std::string qdir = data_dir + "/queue";
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  Queued out;
  if (m.limits) {
    MOX_ASSIGN(out.limit, check_send_limits(db, m, now));
    if (out.limit.reached != SendLimit::kNone) return out;
    MOX_TRY(record_outgoing(db, m.sender_account, recipient_addresses(m), now));
  }
  MOX_ASSIGN(auto ins,
             db.prepare("INSERT INTO Msg (ID, BaseID, Queued, SenderAccount, SenderLocalpart, "
                        "SenderDomain, RecipientLocalpart, RecipientDomain, NextAttempt, "
                        "Has8bit, SMTPUTF8, Size, MessageID, Subject, MsgPrefix) "
                        "VALUES (" +
                        std::string(kNextIdSql) + ",?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  std::vector<int64_t> ids;
  int64_t base = 0;
  int64_t size = static_cast<int64_t>(m.prefix.size() + m.dkim_prefix.size()) + m.size;
  for (const auto& r : m.recipients) {
    ins.reset();
    ins.bind(1, base).bind(2, now).bind(3, m.sender_account).bind(4, m.sender_localpart);
    ins.bind(5, m.sender_domain).bind(6, r.localpart).bind(7, r.domain).bind(8, now);
    ins.bind(9, int64_t{m.has_8bit}).bind(10, int64_t{m.smtputf8}).bind(11, size);
    ins.bind(12, m.message_id).bind(13, m.subject).bind_blob(14, m.dkim_prefix);
    MOX_TRY(ins.run());
    ids.push_back(db.last_insert_id());
    if (base == 0) {
      base = ids[0];
      MOX_ASSIGN(auto up, db.prepare("UPDATE Msg SET BaseID=? WHERE ID=?"));
      MOX_TRY(up.bind(1, base).bind(2, base).run());
    }
  }
  MOX_ASSIGN(auto hold, db.prepare(std::string("UPDATE Msg SET Hold=1 WHERE BaseID=? AND ") +
                                   kHoldRuleMatchSql));
  MOX_TRY(hold.bind(1, base).run());
  // The files are durable before the rows are committed (docs/DESIGN.md
  // "Durability").
  MOX_TRY(store::write_message_file(qdir, ids[0], m.prefix, m.source_fd, 0));
  for (size_t i = 1; i < ids.size(); ++i) {
    std::string to = queue_message_path(data_dir, ids[i]);
    MOX_TRY(mkdir_all(to.substr(0, to.rfind('/')), 0770));
    if (::link(queue_message_path(data_dir, ids[0]).c_str(), to.c_str()) != 0) {
      return internal_error("linking queue message file: " + std::string(std::strerror(errno)));
    }
    MOX_TRY(fsync_dir(to.substr(0, to.rfind('/'))));
  }
  crashpoint("queue-add-before-commit");
  if (auto st = tx.commit(); !st) {
    for (int64_t id : ids) ::unlink(queue_message_path(data_dir, id).c_str());
    return std::move(st).error();
  }
  (void)wake_runners(data_dir);
  out.ids = std::move(ids);
  return out;
}

Status wake_runners(const std::string& data_dir) {
  return store::notify_account_change(data_dir + "/queue");
}

}  // namespace mox::queue
