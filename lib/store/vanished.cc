#include "store/vanished.h"

#include <algorithm>
#include <functional>

#include "store/parsed.h"

namespace mox::store {
namespace {

struct Range {
  int64_t first = 0, last = 0, modseq = 0;
};

// Ranges are merged in steps: a mailbox whose ranges cannot be merged
// (live messages between all of them) is tried again only after this many
// more, so that each expunge does not walk them all.
constexpr int64_t kCompactStep = 64;

// Whether a message of mailbox `mailbox_id` has a UID strictly between `a`
// and `b` (the index of UNIQUE (MailboxID, UID) answers it).
class LiveBetween {
 public:
  static Result<LiveBetween> prepare(db::Db& db, int64_t mailbox_id) {
    MOX_ASSIGN(db::Stmt q, db.prepare("SELECT 1 FROM Message WHERE MailboxID = ? AND UID > ? "
                                      "AND UID < ? LIMIT 1"));
    return LiveBetween(std::move(q), mailbox_id);
  }
  Result<bool> operator()(int64_t a, int64_t b) {
    if (b <= a + 1) return false;
    q_.reset();
    q_.bind(1, mailbox_id_).bind(2, a).bind(3, b);
    MOX_ASSIGN(bool row, q_.step());
    q_.reset();
    return row;
  }

 private:
  LiveBetween(db::Stmt q, int64_t mailbox_id) : q_(std::move(q)), mailbox_id_(mailbox_id) {}
  db::Stmt q_;
  int64_t mailbox_id_;
};

Result<int64_t> range_count(db::Db& db, int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT COUNT(*) FROM ExpungedUID WHERE MailboxID = ?"));
  q.bind(1, mailbox_id);
  MOX_TRY(q.step());
  return q.col_int(0);
}

Status insert_ranges(db::Db& db, int64_t mailbox_id, const std::vector<Range>& ranges) {
  MOX_ASSIGN(db::Stmt ins, db.prepare("INSERT INTO ExpungedUID (MailboxID, FirstUID, LastUID, "
                                      "ModSeq) VALUES (?, ?, ?, ?)"));
  for (const Range& r : ranges) {
    ins.reset();
    MOX_TRY(ins.bind(1, mailbox_id).bind(2, r.first).bind(3, r.last).bind(4, r.modseq).run());
  }
  return {};
}

// Runs of the sorted `uids` that no live message interrupts.
Result<std::vector<Range>> runs(LiveBetween& live, const std::vector<int64_t>& uids,
                                int64_t modseq) {
  std::vector<Range> out;
  for (int64_t uid : uids) {
    if (!out.empty()) {
      MOX_ASSIGN(bool split, live(out.back().last, uid));
      if (!split) {
        out.back().last = uid;
        continue;
      }
    }
    out.push_back({uid, uid, modseq});
  }
  return out;
}

// The modseq at or below which ranges may be merged: that of the newest
// range beyond the kExpungedRangesKept / 2 newest.
int64_t merge_cutoff(const std::vector<Range>& ranges) {
  std::vector<int64_t> m;
  for (const Range& r : ranges) m.push_back(r.modseq);
  size_t keep = static_cast<size_t>(kExpungedRangesKept / 2);
  std::nth_element(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(keep), m.end(),
                   std::greater<>());
  return m[keep];
}

// Merges the older ranges of a mailbox (see store/vanished.h).
Status compact(db::Db& db, int64_t mailbox_id, LiveBetween& live) {
  std::vector<Range> all;
  {
    MOX_ASSIGN(db::Stmt q, db.prepare("SELECT FirstUID, LastUID, ModSeq FROM ExpungedUID "
                                      "WHERE MailboxID = ? ORDER BY FirstUID"));
    q.bind(1, mailbox_id);
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      all.push_back({q.col_int(0), q.col_int(1), q.col_int(2)});
    }
  }
  if (all.size() <= static_cast<size_t>(kExpungedRangesKept)) return {};
  int64_t cutoff = merge_cutoff(all);
  std::vector<Range> out;
  for (const Range& r : all) {
    if (!out.empty() && r.modseq <= cutoff && out.back().modseq <= cutoff) {
      Range& p = out.back();
      MOX_ASSIGN(bool split, live(p.last, r.first));
      if (!split) {
        p.last = std::max(p.last, r.last);
        p.modseq = std::max(p.modseq, r.modseq);
        continue;
      }
    }
    out.push_back(r);
  }
  if (out.size() == all.size()) return {};
  MOX_ASSIGN(db::Stmt del, db.prepare("DELETE FROM ExpungedUID WHERE MailboxID = ?"));
  MOX_TRY(del.bind(1, mailbox_id).run());
  return insert_ranges(db, mailbox_id, out);
}

}  // namespace

Status remove_messages(db::Db& db, int64_t mailbox_id, const std::vector<ExpungedRow>& rows,
                       int64_t modseq) {
  if (rows.empty()) return {};
  {
    MOX_ASSIGN(db::Stmt del, db.prepare("DELETE FROM Message WHERE ID = ?"));
    for (const ExpungedRow& r : rows) {
      del.reset();
      MOX_TRY(del.bind(1, r.id).run());
      MOX_TRY(remove_search_text(db, r.id));
    }
  }
  std::vector<int64_t> uids;
  for (const ExpungedRow& r : rows) uids.push_back(r.uid);
  return record_expunged(db, mailbox_id, std::move(uids), modseq);
}

Status record_expunged(db::Db& db, int64_t mailbox_id, std::vector<int64_t> uids, int64_t modseq) {
  if (uids.empty()) return {};
  std::sort(uids.begin(), uids.end());
  MOX_ASSIGN(LiveBetween live, LiveBetween::prepare(db, mailbox_id));
  MOX_ASSIGN(std::vector<Range> add, runs(live, uids, modseq));
  MOX_ASSIGN(int64_t before, range_count(db, mailbox_id));
  MOX_TRY(insert_ranges(db, mailbox_id, add));
  int64_t after = before + static_cast<int64_t>(add.size());
  if (after > kExpungedRangesKept &&
      (before <= kExpungedRangesKept || before / kCompactStep != after / kCompactStep)) {
    MOX_TRY(compact(db, mailbox_id, live));
  }
  return {};
}

Result<std::vector<int64_t>> expunged_since(db::Db& db, int64_t mailbox_id, int64_t modseq) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT FirstUID, LastUID FROM ExpungedUID "
                                    "WHERE MailboxID = ? AND ModSeq > ?"));
  q.bind(1, mailbox_id).bind(2, modseq);
  std::vector<int64_t> out;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    for (int64_t uid = q.col_int(0); uid <= q.col_int(1); ++uid) out.push_back(uid);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status forget_expunged(db::Db& db, int64_t mailbox_id) {
  MOX_ASSIGN(db::Stmt q, db.prepare("DELETE FROM ExpungedUID WHERE MailboxID = ?"));
  return q.bind(1, mailbox_id).run();
}

}  // namespace mox::store
