#include "store/messages.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "store/mailbox.h"
#include "store/msgfile.h"
#include "store/notify.h"
#include "store/parsed.h"
#include "store/quota.h"
#include "store/vanished.h"
#include "util/fs.h"
#include "util/split.h"

namespace mox::store {
namespace {

// Inside a transaction: the account's next modseq (RFC 7162 §3.1).
Result<int64_t> bump_modseq(db::Db& db) {
  MOX_ASSIGN(db::Stmt q, db.prepare("UPDATE Account SET ModSeq = ModSeq + 1 RETURNING ModSeq"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  int64_t m = q.col_int(0);
  MOX_TRY(q.run());
  return m;
}

constexpr const char* kMessageColumns =
    "ID, UID, ModSeq, Size, Received, SaveDate, Flags, Keywords";

MessageRow read_row(const db::Stmt& q) {
  MessageRow r;
  q.cols(r.id, r.uid, r.modseq, r.size, r.received, r.savedate, r.flags.bits);
  r.flags.keywords = split_nonempty(q.col_text(7), ' ');
  return r;
}

Mailbox read_mailbox(const db::Stmt& q) {
  return Mailbox{q.col_int(0), q.col_text(1), q.col_text(2),    q.col_int(3),
                 q.col_int(4), q.col_int(5),  q.col_int(6) != 0};
}

constexpr const char* kMailboxSelect =
    "SELECT m.ID, m.Name, m.SpecialUse, m.UIDValidity, m.UIDNext, m.ModSeq, "
    "EXISTS (SELECT 1 FROM Subscription s WHERE s.Name = m.Name) FROM Mailbox m ";

void notify(AccountStore& a) { (void)notify_account_change(a.dir()); }

MessageFlags apply(const MessageFlags& cur, FlagOp op, const MessageFlags& f) {
  MessageFlags out = cur;
  if (op == FlagOp::kReplace) return f;
  std::set<std::string> kw(cur.keywords.begin(), cur.keywords.end());
  if (op == FlagOp::kAdd) {
    out.bits |= f.bits;
    kw.insert(f.keywords.begin(), f.keywords.end());
  } else {
    out.bits &= ~f.bits;
    for (const auto& k : f.keywords) kw.erase(k);
  }
  out.keywords.assign(kw.begin(), kw.end());
  return out;
}

bool same(const MessageFlags& a, const MessageFlags& b) {
  auto ka = a.keywords, kb = b.keywords;
  std::sort(ka.begin(), ka.end());
  std::sort(kb.begin(), kb.end());
  return a.bits == b.bits && ka == kb;
}

// Subscriptions are names, kept apart from mailboxes (RFC 9051 §6.3.7); a
// rename takes those of the mailbox and its children along, and a name the
// client already subscribed stays subscribed once. All old rows go before the
// new ones come, so that no new name can meet an old one still to be moved.
Status move_subscriptions(db::Db& db, const std::string& from, const std::string& to) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT Name FROM Subscription WHERE Name = ?1 OR "
                                    "substr(Name, 1, length(?1) + 1) = ?1 || '/'"));
  q.bind(1, from);
  MOX_ASSIGN(auto names, db::collect(q, [](const db::Stmt& r) { return r.col_text(0); }));
  q = db::Stmt();
  MOX_ASSIGN(db::Stmt del, db.prepare("DELETE FROM Subscription WHERE Name = ?"));
  MOX_ASSIGN(db::Stmt ins, db.prepare("INSERT OR IGNORE INTO Subscription (Name) VALUES (?)"));
  for (const auto& n : names) {
    del.reset();
    MOX_TRY(del.bind(1, n).run());
  }
  for (const auto& n : names) {
    ins.reset();
    MOX_TRY(ins.bind(1, to + n.substr(from.size())).run());
  }
  return {};
}

}  // namespace

std::string message_path(const AccountStore& a, int64_t id) {
  return message_file_path(a.dir(), id);
}

Result<std::vector<Mailbox>> list_mailboxes(AccountStore& a) {
  MOX_ASSIGN(db::Stmt q, a.db().prepare(std::string(kMailboxSelect) + "ORDER BY m.Name"));
  return db::collect(q, read_mailbox);
}

Result<std::optional<Mailbox>> find_mailbox(AccountStore& a, const std::string& name) {
  MOX_ASSIGN(std::string n, normalize_mailbox_name(name));
  MOX_ASSIGN(db::Stmt q, a.db().prepare(std::string(kMailboxSelect) + "WHERE m.Name = ?"));
  q.bind(1, n);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return std::optional<Mailbox>();
  return std::optional<Mailbox>(read_mailbox(q));
}

Result<std::vector<std::string>> list_subscriptions(AccountStore& a) {
  MOX_ASSIGN(db::Stmt q, a.db().prepare("SELECT Name FROM Subscription ORDER BY Name"));
  return db::collect(q, [](const db::Stmt& r) { return r.col_text(0); });
}

Result<int64_t> highest_modseq(AccountStore& a) {
  MOX_ASSIGN(db::Stmt q, a.db().prepare("SELECT ModSeq FROM Account"));
  MOX_ASSIGN(bool row, q.step());
  if (!row) return internal_error("account has no Account row");
  return q.col_int(0);
}

Result<Mailbox> create_mailbox(AccountStore& a, const std::string& name,
                               const std::string& special_use) {
  MOX_ASSIGN(std::string n, normalize_mailbox_name(name));
  {
    db::Db& db = a.db();
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
    MOX_ASSIGN(db::Stmt q, db.prepare("SELECT 1 FROM Mailbox WHERE Name = ?"));
    q.bind(1, n);
    MOX_ASSIGN(bool exists, q.step());
    q = db::Stmt();
    if (exists) return user_error("mailbox already exists");
    MOX_ASSIGN(int64_t modseq, bump_modseq(db));
    MOX_ASSIGN(MailboxRef ref, ensure_mailbox(db, n, true, modseq, false));
    if (!special_use.empty()) {
      MOX_ASSIGN(db::Stmt su, db.prepare("UPDATE Mailbox SET SpecialUse = ? WHERE ID = ?"));
      MOX_TRY(su.bind(1, special_use).bind(2, ref.id).run());
    }
    MOX_TRY(tx.commit());
  }
  notify(a);
  MOX_ASSIGN(auto mb, find_mailbox(a, n));
  if (!mb) return internal_error("created mailbox not found");
  return *mb;
}

Status delete_mailbox(AccountStore& a, const std::string& name) {
  MOX_ASSIGN(std::string n, normalize_mailbox_name(name));
  if (n == "Inbox") return user_error("cannot delete Inbox");  // RFC 9051 §6.3.4
  std::vector<int64_t> ids;
  {
    db::Db& db = a.db();
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
    MOX_ASSIGN(db::Stmt q, db.prepare("SELECT ID FROM Mailbox WHERE Name = ?"));
    q.bind(1, n);
    MOX_ASSIGN(bool row, q.step());
    if (!row) return not_found("mailbox does not exist");
    int64_t mbid = q.col_int(0);
    q = db::Stmt();
    MOX_ASSIGN(db::Stmt kids, db.prepare("SELECT 1 FROM Mailbox WHERE substr(Name, 1, ?) = ?"));
    kids.bind(1, static_cast<int64_t>(n.size() + 1)).bind(2, n + "/");
    MOX_ASSIGN(bool has_kids, kids.step());
    kids = db::Stmt();
    if (has_kids) return user_error("mailbox has children, delete them first");
    MOX_ASSIGN(db::Stmt m,
               db.prepare("SELECT ID FROM Message WHERE MailboxID = ? AND Expunged = 0"));
    m.bind(1, mbid);
    while (true) {
      MOX_ASSIGN(bool r, m.step());
      if (!r) break;
      ids.push_back(m.col_int(0));
    }
    m = db::Stmt();
    MOX_TRY(bump_modseq(db));
    for (const char* sql :
         {"DELETE FROM MessageText WHERE rowid IN (SELECT ID FROM Message WHERE MailboxID = ?)",
          "DELETE FROM Message WHERE MailboxID = ?", "DELETE FROM Mailbox WHERE ID = ?"}) {
      MOX_ASSIGN(db::Stmt d, db.prepare(sql));
      MOX_TRY(d.bind(1, mbid).run());
    }
    MOX_TRY(forget_expunged(db, mbid));
    MOX_TRY(tx.commit());
  }
  for (int64_t id : ids) ::unlink(message_path(a, id).c_str());
  notify(a);
  return {};
}

Status rename_mailbox(AccountStore& a, const std::string& from, const std::string& to) {
  MOX_ASSIGN(std::string f, normalize_mailbox_name(from));
  MOX_ASSIGN(std::string t, normalize_mailbox_name(to));
  if (t == f) return user_error("mailbox names are the same");
  if (t.compare(0, f.size() + 1, f + "/") == 0) return user_error("cannot rename into itself");
  db::Db& db = a.db();
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  MOX_ASSIGN(db::Stmt src, db.prepare("SELECT ID FROM Mailbox WHERE Name = ?"));
  src.bind(1, f);
  MOX_ASSIGN(bool found, src.step());
  if (!found) return not_found("mailbox does not exist");
  int64_t src_id = src.col_int(0);
  src = db::Stmt();
  MOX_ASSIGN(db::Stmt dst, db.prepare("SELECT 1 FROM Mailbox WHERE Name = ?"));
  dst.bind(1, t);
  MOX_ASSIGN(bool exists, dst.step());
  dst = db::Stmt();
  if (exists) return user_error("destination mailbox already exists");
  MOX_ASSIGN(int64_t modseq, bump_modseq(db));
  if (f == "Inbox") {
    // RFC 9051 §6.3.6: renaming INBOX moves its messages to a new mailbox and
    // leaves INBOX empty.
    MOX_ASSIGN(MailboxRef ref, ensure_mailbox(db, t, true, modseq, false));
    // New UIDs in the old order, assigned one row at a time: a single UPDATE
    // computing each UID from the rows not yet moved collides with itself.
    MOX_ASSIGN(db::Stmt ids,
               db.prepare("SELECT ID, UID FROM Message WHERE MailboxID = ? AND Expunged = 0 "
                          "ORDER BY UID"));
    ids.bind(1, src_id);
    std::vector<int64_t> moving, moved_uids;
    while (true) {
      MOX_ASSIGN(bool row, ids.step());
      if (!row) break;
      moving.push_back(ids.col_int(0));
      moved_uids.push_back(ids.col_int(1));
    }
    ids = db::Stmt();
    MOX_ASSIGN(db::Stmt mv,
               db.prepare("UPDATE Message SET MailboxID = ?1, ModSeq = ?2, "
                          "UID = (SELECT UIDNext FROM Mailbox WHERE ID = ?1) + ?3 WHERE ID = ?4"));
    for (size_t i = 0; i < moving.size(); ++i) {
      mv.reset();
      MOX_TRY(mv.bind(1, ref.id)
                  .bind(2, modseq)
                  .bind(3, static_cast<int64_t>(i))
                  .bind(4, moving[i])
                  .run());
    }
    // For QRESYNC clients of INBOX they are gone (store/vanished.h).
    MOX_TRY(record_expunged(db, src_id, std::move(moved_uids), modseq));
    MOX_ASSIGN(db::Stmt up,
               db.prepare("UPDATE Mailbox SET UIDNext = 1 + COALESCE((SELECT MAX(UID) FROM "
                          "Message WHERE MailboxID = ?1), 0), ModSeq = ?2 WHERE ID = ?1"));
    MOX_TRY(up.bind(1, ref.id).bind(2, modseq).run());
  } else {
    // The mailbox and its children keep their UIDVALIDITY; missing parents of
    // the new name are created.
    size_t slash = t.rfind('/');
    if (slash != std::string::npos) {
      MOX_TRY(ensure_mailbox(db, t.substr(0, slash), true, modseq, false));
    }
    MOX_ASSIGN(db::Stmt up,
               db.prepare("UPDATE Mailbox SET Name = ?2 || substr(Name, ?3), ModSeq = ?4 "
                          "WHERE Name = ?1 OR substr(Name, 1, length(?1) + 1) = ?1 || '/'"));
    MOX_TRY(
        up.bind(1, f).bind(2, t).bind(3, static_cast<int64_t>(f.size() + 1)).bind(4, modseq).run());
    up = db::Stmt();
    MOX_TRY(move_subscriptions(db, f, t));
  }
  MOX_TRY(tx.commit());
  notify(a);
  return {};
}

Status set_subscribed(AccountStore& a, const std::string& name, bool subscribed) {
  MOX_ASSIGN(std::string n, normalize_mailbox_name(name));
  MOX_ASSIGN(db::Stmt q,
             a.db().prepare(subscribed ? "INSERT OR IGNORE INTO Subscription (Name) VALUES (?)"
                                       : "DELETE FROM Subscription WHERE Name = ?"));
  MOX_TRY(q.bind(1, n).run());
  notify(a);
  return {};
}

Result<std::vector<MessageRow>> list_messages(AccountStore& a, int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q,
             a.db().prepare(std::string("SELECT ") + kMessageColumns +
                            " FROM Message WHERE MailboxID = ? AND Expunged = 0 ORDER BY UID"));
  q.bind(1, mailbox_id);
  return db::collect(q, read_row);
}

Result<Changes> changes_since(AccountStore& a, int64_t mailbox_id, int64_t modseq) {
  Changes c;
  db::Db& db = a.db();
  // One snapshot for the highest modseq and what changed up to it: a change
  // committed between two reads would otherwise be below c.highest_modseq,
  // from which the caller goes on, without being in the changes.
  MOX_ASSIGN(db::Tx snapshot, db::Tx::begin_read(db));
  MOX_ASSIGN(c.highest_modseq, highest_modseq(a));
  MOX_ASSIGN(db::Stmt q,
             db.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM Message WHERE MailboxID = ? AND ModSeq > ? ORDER BY UID"));
  q.bind(1, mailbox_id).bind(2, modseq);
  MOX_ASSIGN(c.changed, db::collect(q, read_row));
  q = db::Stmt();
  MOX_ASSIGN(c.expunged, expunged_since(db, mailbox_id, modseq));
  return c;
}

Result<StoreResult> store_flags(AccountStore& a, int64_t mailbox_id,
                                const std::vector<int64_t>& uids, FlagOp op,
                                const MessageFlags& flags, std::optional<int64_t> unchanged_since) {
  MOX_TRY(check_flags(flags));
  StoreResult res;
  db::Db& db = a.db();
  {
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
    int64_t modseq = 0;
    MOX_ASSIGN(db::Stmt get,
               db.prepare(std::string("SELECT ") + kMessageColumns +
                          " FROM Message WHERE MailboxID = ? AND UID = ? AND Expunged = 0"));
    MOX_ASSIGN(db::Stmt put,
               db.prepare("UPDATE Message SET Flags = ?, Keywords = ?, ModSeq = ? WHERE ID = ?"));
    for (int64_t uid : uids) {
      get.reset();
      get.bind(1, mailbox_id).bind(2, uid);
      MOX_ASSIGN(bool row, get.step());
      if (!row) continue;
      MessageRow r = read_row(get);
      get.reset();
      if (unchanged_since && r.modseq > *unchanged_since) {
        res.modified.push_back(uid);
        continue;
      }
      MessageFlags nf = apply(r.flags, op, flags);
      if (same(nf, r.flags)) {
        // RFC 7162 §3.1.3: an unchanged message keeps its modseq, but is
        // still reported when UNCHANGEDSINCE was given.
        if (unchanged_since) res.updated.push_back(r);
        continue;
      }
      if (modseq == 0) {
        MOX_ASSIGN(modseq, bump_modseq(db));
      }
      put.reset();
      put.bind(1, nf.bits).bind(2, keywords_column(nf.keywords)).bind(3, modseq).bind(4, r.id);
      MOX_TRY(put.run());
      r.flags = nf;
      r.modseq = modseq;
      res.updated.push_back(r);
    }
    get = db::Stmt();
    put = db::Stmt();
    if (modseq) {
      MOX_ASSIGN(db::Stmt mb, db.prepare("UPDATE Mailbox SET ModSeq = ? WHERE ID = ?"));
      MOX_TRY(mb.bind(1, modseq).bind(2, mailbox_id).run());
    }
    MOX_TRY(tx.commit());
    if (modseq) notify(a);
  }
  return res;
}

Result<std::vector<int64_t>> expunge(AccountStore& a, int64_t mailbox_id,
                                     const std::optional<std::vector<int64_t>>& uids) {
  std::vector<ExpungedRow> gone;
  db::Db& db = a.db();
  {
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
    MOX_ASSIGN(db::Stmt q,
               db.prepare("SELECT UID, ID FROM Message WHERE MailboxID = ? AND Expunged = 0 "
                          "AND (Flags & ?) != 0 ORDER BY UID"));
    q.bind(1, mailbox_id).bind(2, int64_t{kFlagDeleted});
    std::set<int64_t> only;
    if (uids) only.insert(uids->begin(), uids->end());
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      if (!uids || only.count(q.col_int(0))) gone.push_back({q.col_int(0), q.col_int(1)});
    }
    q = db::Stmt();
    if (gone.empty()) return std::vector<int64_t>();
    MOX_ASSIGN(int64_t modseq, bump_modseq(db));
    // The rows go; their UIDs stay for QRESYNC's VANISHED (store/vanished.h).
    MOX_TRY(remove_messages(db, mailbox_id, gone, modseq));
    MOX_ASSIGN(db::Stmt mb, db.prepare("UPDATE Mailbox SET ModSeq = ? WHERE ID = ?"));
    MOX_TRY(mb.bind(1, modseq).bind(2, mailbox_id).run());
    MOX_TRY(tx.commit());
  }
  std::vector<int64_t> out;
  for (const ExpungedRow& r : gone) {
    ::unlink(message_path(a, r.id).c_str());
    out.push_back(r.uid);
  }
  notify(a);
  return out;
}

namespace {

// The rows of `uids` in mailbox `mailbox_id` that are not expunged, in UID
// order (RFC 4315: COPYUID lists them in this order).
Result<std::vector<MessageRow>> source_rows(db::Db& db, int64_t mailbox_id,
                                            std::vector<int64_t> uids) {
  MOX_ASSIGN(db::Stmt q,
             db.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM Message WHERE MailboxID = ? AND UID = ? AND Expunged = 0"));
  std::sort(uids.begin(), uids.end());
  std::vector<MessageRow> src;
  for (int64_t uid : uids) {
    q.reset();
    q.bind(1, mailbox_id).bind(2, uid);
    MOX_ASSIGN(bool row, q.step());
    if (row) src.push_back(read_row(q));
    q.reset();
  }
  return src;
}

// New IDs (never reused) for `src`, and hard links to the same immutable
// files under them, made durable before the rows are committed.
Result<std::vector<int64_t>> link_copies(AccountStore& a, const std::vector<MessageRow>& src) {
  db::Db& db = a.db();
  std::vector<int64_t> new_ids;
  {
    MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
    MOX_ASSIGN(db::Stmt q, db.prepare("UPDATE Account SET NextMessageID = NextMessageID + ? "
                                      "RETURNING NextMessageID - ?"));
    q.bind(1, static_cast<int64_t>(src.size())).bind(2, static_cast<int64_t>(src.size()));
    MOX_ASSIGN(bool row, q.step());
    if (!row) return internal_error("account has no Account row");
    int64_t first = q.col_int(0);
    q = db::Stmt();
    MOX_TRY(tx.commit());
    for (size_t i = 0; i < src.size(); ++i) new_ids.push_back(first + static_cast<int64_t>(i));
  }
  std::set<std::string> dirs;
  for (size_t i = 0; i < src.size(); ++i) {
    std::string to = message_path(a, new_ids[i]);
    std::string dir = to.substr(0, to.rfind('/'));
    MOX_TRY(mkdir_all(dir, 0770));
    if (::link(message_path(a, src[i].id).c_str(), to.c_str()) != 0 && errno != EEXIST) {
      return os_error("linking message file", errno);
    }
    dirs.insert(dir);
  }
  for (const auto& d : dirs) MOX_TRY(fsync_dir(d));
  MOX_TRY(fsync_dir(a.dir() + "/msg"));
  return new_ids;
}

// Bytes a copy of `src` adds to the account: nothing for a move, whose
// sources are expunged in the same transaction.
int64_t added_size(const std::vector<MessageRow>& src, bool move) {
  int64_t n = 0;
  if (!move) {
    for (const auto& r : src) n += r.size;
  }
  return n;
}

// Inserts the rows of the copies and, for a move, expunges the sources, in
// one transaction that first checks the quota.
Status insert_copies(db::Db& db, const Mailbox& dmb, int64_t mailbox_id,
                     const std::vector<MessageRow>& src, const std::vector<int64_t>& new_ids,
                     bool move, int64_t quota, CopyResult& res) {
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  MOX_TRY(check_quota(db, quota, added_size(src, move)));
  MOX_ASSIGN(int64_t modseq, bump_modseq(db));
  MOX_ASSIGN(db::Stmt next, db.prepare("SELECT UIDNext FROM Mailbox WHERE ID = ?"));
  next.bind(1, dmb.id);
  MOX_ASSIGN(bool row, next.step());
  if (!row) return not_found("mailbox " + dmb.name + " does not exist");
  int64_t uid = next.col_int(0);
  next = db::Stmt();
  MOX_ASSIGN(db::Stmt ins,
             db.prepare("INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, "
                        "Received, SaveDate, Size, Flags, Keywords) VALUES (?,?,?,?,?,?,?,?,?,?)"));
  int64_t now = db::now_unix();
  for (size_t i = 0; i < src.size(); ++i) {
    const MessageRow& r = src[i];
    ins.reset();
    ins.bind(1, new_ids[i]).bind(2, dmb.id).bind(3, uid).bind(4, modseq).bind(5, modseq);
    ins.bind(6, r.received).bind(7, now).bind(8, r.size).bind(9, r.flags.bits);
    ins.bind(10, keywords_column(r.flags.keywords));
    MOX_TRY(ins.run());
    MOX_TRY(copy_parsed(db, r.id, new_ids[i]));
    res.src_uids.push_back(r.uid);
    res.dest_uids.push_back(uid++);
  }
  ins = db::Stmt();
  MOX_ASSIGN(db::Stmt up, db.prepare("UPDATE Mailbox SET UIDNext = ?, ModSeq = ? WHERE ID = ?"));
  MOX_TRY(up.bind(1, uid).bind(2, modseq).bind(3, dmb.id).run());
  if (move) {
    // RFC 6851: the source messages are expunged in the same transaction.
    std::vector<ExpungedRow> gone;
    for (const auto& r : src) gone.push_back({r.uid, r.id});
    MOX_TRY(remove_messages(db, mailbox_id, gone, modseq));
    MOX_ASSIGN(db::Stmt smb, db.prepare("UPDATE Mailbox SET ModSeq = ? WHERE ID = ?"));
    MOX_TRY(smb.bind(1, modseq).bind(2, mailbox_id).run());
  }
  return tx.commit();
}

}  // namespace

Result<CopyResult> copy_messages(AccountStore& a, int64_t mailbox_id,
                                 const std::vector<int64_t>& uids, const std::string& dest,
                                 bool move, int64_t quota) {
  MOX_ASSIGN(std::string dn, normalize_mailbox_name(dest));
  MOX_ASSIGN(auto dmb, find_mailbox(a, dn));
  if (!dmb) return not_found("mailbox " + dn + " does not exist");
  db::Db& db = a.db();
  MOX_ASSIGN(std::vector<MessageRow> src, source_rows(db, mailbox_id, uids));
  CopyResult res;
  res.dest_uidvalidity = dmb->uidvalidity;
  if (src.empty()) return res;
  // Refused early, before any file is linked, when the account is already
  // too full; checked again where it counts, in insert_copies().
  MOX_TRY(check_quota(db, quota, added_size(src, move)));
  MOX_ASSIGN(FileLock files, lock_message_files(a.dir(), FileLock::Mode::kShared));
  MOX_ASSIGN(std::vector<int64_t> new_ids, link_copies(a, src));
  if (auto st = insert_copies(db, *dmb, mailbox_id, src, new_ids, move, quota, res); !st) {
    // Over quota is known before anything is written: the links are orphans.
    if (st.error().kind == ErrorKind::kOverQuota) {
      for (int64_t id : new_ids) ::unlink(message_path(a, id).c_str());
    }
    return std::move(st).error();
  }
  if (move) {
    for (const auto& r : src) ::unlink(message_path(a, r.id).c_str());
  }
  notify(a);
  return res;
}

}  // namespace mox::store
