#include "store/invariants.h"

#include <optional>

namespace mox::store {
namespace {

// One rule: a query whose rows (subject, text, message ID) break it, and
// the statement that repairs it, if the rows allow it.
struct Rule {
  const char* kind;
  const char* query;
  const char* repair;  // nullptr: only reported
};

// The highest modseq anything of the account carries.
#define MOX_MAX_MODSEQ                                                                 \
  "(SELECT COALESCE(MAX(x), 0) FROM (SELECT MAX(ModSeq, CreateModSeq) x FROM Message " \
  "UNION ALL SELECT MAX(ModSeq, CreateModSeq) FROM Mailbox "                           \
  "UNION ALL SELECT ModSeq FROM ExpungedUID))"

const Rule kRules[] = {
    {"message-without-mailbox",
     "SELECT 'message ' || m.ID, 'in mailbox ID ' || m.MailboxID || ', which does not exist', "
     "m.ID FROM Message m WHERE NOT EXISTS (SELECT 1 FROM Mailbox b WHERE b.ID = m.MailboxID)",
     nullptr},
    {"duplicate-uid",
     "SELECT 'mailbox ' || b.Name, 'UID ' || m.UID || ' used by ' || COUNT(*) || ' messages', "
     "MIN(m.ID) FROM Message m JOIN Mailbox b ON b.ID = m.MailboxID "
     "GROUP BY m.MailboxID, m.UID HAVING COUNT(*) > 1",
     nullptr},
    {"uid-not-below-uidnext",
     "SELECT 'message ' || m.ID, 'UID ' || m.UID || ' not below UIDNEXT ' || b.UIDNext || "
     "' of mailbox ' || b.Name, m.ID FROM Message m JOIN Mailbox b ON b.ID = m.MailboxID "
     "WHERE m.UID >= b.UIDNext ORDER BY m.ID",
     "UPDATE Mailbox SET UIDNext = 1 + (SELECT MAX(UID) FROM Message WHERE MailboxID = Mailbox.ID) "
     "WHERE UIDNext <= (SELECT MAX(UID) FROM Message WHERE MailboxID = Mailbox.ID)"},
    {"expunged-uid-not-below-uidnext",
     "SELECT 'mailbox ' || b.Name, 'expunged UIDs ' || e.FirstUID || ':' || e.LastUID || "
     "' not below UIDNEXT ' || b.UIDNext, 0 FROM ExpungedUID e JOIN Mailbox b "
     "ON b.ID = e.MailboxID WHERE e.LastUID >= b.UIDNext",
     "UPDATE Mailbox SET UIDNext = 1 + (SELECT MAX(LastUID) FROM ExpungedUID "
     "WHERE MailboxID = Mailbox.ID) WHERE UIDNext <= (SELECT MAX(LastUID) FROM ExpungedUID "
     "WHERE MailboxID = Mailbox.ID)"},
    {"modseq-above-account",
     "SELECT 'message ' || m.ID, 'modseq ' || MAX(m.ModSeq, m.CreateModSeq) || "
     "' above the account''s highest modseq ' || a.ModSeq, m.ID FROM Message m, Account a "
     "WHERE MAX(m.ModSeq, m.CreateModSeq) > a.ModSeq ORDER BY m.ID",
     "UPDATE Account SET ModSeq = " MOX_MAX_MODSEQ " WHERE ModSeq < " MOX_MAX_MODSEQ},
    {"modseq-above-account",
     "SELECT 'mailbox ' || b.Name, 'modseq ' || MAX(b.ModSeq, b.CreateModSeq) || "
     "' above the account''s highest modseq ' || a.ModSeq, 0 FROM Mailbox b, Account a "
     "WHERE MAX(b.ModSeq, b.CreateModSeq) > a.ModSeq",
     "UPDATE Account SET ModSeq = " MOX_MAX_MODSEQ " WHERE ModSeq < " MOX_MAX_MODSEQ},
    {"modseq-above-account",
     "SELECT 'mailbox ' || b.Name, 'expunged UIDs ' || e.FirstUID || ':' || e.LastUID || "
     "' at modseq ' || e.ModSeq || ' above the account''s highest modseq ' || a.ModSeq, 0 "
     "FROM ExpungedUID e JOIN Mailbox b ON b.ID = e.MailboxID, Account a WHERE e.ModSeq > a.ModSeq",
     "UPDATE Account SET ModSeq = " MOX_MAX_MODSEQ " WHERE ModSeq < " MOX_MAX_MODSEQ},
    {"next-message-id",
     "SELECT 'account', 'NextMessageID ' || NextMessageID || ' not above message ID ' || "
     "(SELECT MAX(ID) FROM Message), 0 FROM Account "
     "WHERE NextMessageID <= (SELECT COALESCE(MAX(ID), 0) FROM Message)",
     "UPDATE Account SET NextMessageID = 1 + (SELECT MAX(ID) FROM Message) "
     "WHERE NextMessageID <= (SELECT COALESCE(MAX(ID), 0) FROM Message)"},
    {"disk-usage",
     "SELECT 'account', 'disk usage ' || d.MessageSize || ' bytes, the messages hold ' || s.n, 0 "
     "FROM DiskUsage d, (SELECT COALESCE(SUM(Size), 0) n FROM Message WHERE Expunged = 0) s "
     "WHERE d.MessageSize <> s.n",
     "UPDATE DiskUsage SET MessageSize = (SELECT COALESCE(SUM(Size), 0) FROM Message "
     "WHERE Expunged = 0)"},
};

#undef MOX_MAX_MODSEQ

// Appends the rows that break `r`; returns how many.
Result<size_t> check_rule(db::Db& db, const Rule& r, std::vector<Problem>& out) {
  MOX_ASSIGN(db::Stmt q, db.prepare(r.query));
  size_t first = out.size();
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    out.push_back(Problem{r.kind, q.col_text(0), q.col_text(1), q.col_int(2), false});
  }
  return out.size() - first;
}

}  // namespace

Result<std::vector<Problem>> check_invariants(db::Db& db, bool repair) {
  std::optional<db::Tx> tx;
  if (repair) {
    MOX_ASSIGN(db::Tx t, db::Tx::begin(db));
    tx.emplace(std::move(t));
  } else {
    MOX_ASSIGN(db::Tx t, db::Tx::begin_read(db));
    tx.emplace(std::move(t));
  }
  std::vector<Problem> out;
  std::vector<const Rule*> broken;
  for (const Rule& r : kRules) {
    MOX_ASSIGN(size_t n, check_rule(db, r, out));
    if (n > 0) broken.push_back(&r);
  }
  if (!repair) return out;
  // All found first: a repair may mend what a later rule would report.
  for (const Rule* r : broken) {
    if (!r->repair) continue;
    MOX_TRY(db.exec(r->repair));
    for (Problem& p : out) p.fixed = p.fixed || p.kind == r->kind;
  }
  MOX_TRY(tx->commit());
  return out;
}

}  // namespace mox::store
