#include "queue/msg.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/schema.h"
#include "queue/queuedb.h"
#include "util/ascii.h"
#include "util/json.h"

namespace mox::queue {
namespace {

// Columns read into a Msg, in this order; the retired table adds three.
constexpr const char* kColumns =
    "ID, BaseID, Queued, Hold, SenderAccount, SenderLocalpart, SenderDomain, "
    "RecipientLocalpart, RecipientDomain, Attempts, MaxAttempts, NextAttempt, "
    "coalesce(LastAttempt, 0), Results, Has8bit, SMTPUTF8, Size, MessageID, Subject, "
    "Transport, coalesce(MsgPrefix, ''), "
    "coalesce(json_extract(Results, '$[#-1].Code'), 0), "
    "coalesce(json_extract(Results, '$[#-1].Secode'), ''), "
    "coalesce(json_extract(Results, '$[#-1].Error'), '')";
constexpr int kRetiredFirst = 24;

Msg read_row(const db::Stmt& q, bool retired) {
  Msg m;
  q.cols(m.id, m.base_id, m.queued, m.hold, m.sender_account, m.sender_localpart, m.sender_domain,
         m.recipient_localpart, m.recipient_domain, m.attempts, m.max_attempts, m.next_attempt,
         m.last_attempt, m.results, m.has_8bit, m.smtputf8, m.size, m.message_id, m.subject,
         m.transport, db::blob(m.msg_prefix), m.last_code, m.last_secode, m.last_error);
  if (retired) q.cols_from(kRetiredFirst, m.last_activity, m.success, m.keep_until);
  return m;
}

// Splits "local@domain" or "@domain" at the last '@'.
bool split_address(const std::string& a, std::string& local, std::string& domain) {
  auto at = a.rfind('@');
  if (at == std::string::npos) return false;
  local = a.substr(0, at);
  domain = ascii_lower(a.substr(at + 1));
  return !domain.empty();
}

// WHERE clause and its parameters for a filter.
struct Where {
  std::string sql = " WHERE 1";
  std::vector<std::string> texts;  // bound in order as text or integer
  std::vector<bool> is_int;
  void add(const std::string& cond, std::string v, bool integer = false) {
    sql += " AND " + cond;
    texts.push_back(std::move(v));
    is_int.push_back(integer);
  }
  void bind(db::Stmt& q) const {
    for (size_t i = 0; i < texts.size(); ++i) {
      int n = static_cast<int>(i) + 1;
      if (is_int[i])
        q.bind(n, static_cast<int64_t>(std::stoll(texts[i])));
      else
        q.bind(n, texts[i]);
    }
  }
};

Status add_address(Where& w, const std::string& a, const char* local_col, const char* domain_col,
                   const char* what) {
  std::string local, domain;
  if (!split_address(a, local, domain)) {
    return user_error(std::string("bad ") + what + " address \"" + a +
                      "\" (want user@domain or @domain)");
  }
  if (!local.empty()) w.add(std::string(local_col) + "=?", local);
  w.add(std::string(domain_col) + "=?", domain);
  return {};
}

void add_duration(Where& w, const char* col, const DurationFilter& d, int64_t base, int sign) {
  // submitted "<1h": Queued > now-1h; nextattempt "<1h": NextAttempt < now+1h.
  int64_t edge = base + sign * d.seconds;
  bool greater = (sign < 0) == d.less;
  w.add(std::string(col) + (greater ? ">?" : "<?"), std::to_string(edge), true);
}

Result<Where> where_for(const Filter& f, int64_t now, bool retired) {
  Where w;
  if (!f.account.empty()) w.add("SenderAccount=?", f.account);
  if (!f.from.empty()) MOX_TRY(add_address(w, f.from, "SenderLocalpart", "SenderDomain", "from"));
  if (!f.to.empty()) MOX_TRY(add_address(w, f.to, "RecipientLocalpart", "RecipientDomain", "to"));
  if (f.hold) w.add("Hold=?", *f.hold ? "1" : "0", true);
  if (!f.ids.empty()) {
    std::string in;
    for (int64_t id : f.ids) in += (in.empty() ? "" : ",") + std::to_string(id);
    w.sql += " AND ID IN (" + in + ")";
  }
  if (f.submitted) add_duration(w, "Queued", *f.submitted, now, -1);
  if (f.next_attempt) add_duration(w, "NextAttempt", *f.next_attempt, now, +1);
  if (!f.transport.empty()) w.add("Transport=?", f.transport);
  if (retired) {
    if (f.success) w.add("Success=?", *f.success ? "1" : "0", true);
    if (f.last_activity) add_duration(w, "LastActivity", *f.last_activity, now, -1);
  }
  return w;
}

Result<std::vector<Msg>> select(db::Db& db, const Filter& f, int64_t now, bool retired) {
  MOX_ASSIGN(auto w, where_for(f, now, retired));
  std::string sql = std::string("SELECT ") + kColumns +
                    (retired ? ", LastActivity, Success, KeepUntil FROM MsgRetired" : " FROM Msg") +
                    w.sql;
  std::string order = retired ? "LastActivity" : (f.sort == "queued" ? "Queued" : "NextAttempt");
  sql += " ORDER BY " + order + (f.asc ? " ASC" : " DESC") + ", ID";
  if (f.max > 0) sql += " LIMIT " + std::to_string(f.max);
  MOX_ASSIGN(auto q, db.prepare(sql));
  w.bind(q);
  return db::collect(q, [retired](const db::Stmt& r) { return read_row(r, retired); });
}

Result<Msg> get_one(db::Db& db, int64_t id, bool retired) {
  Filter f;
  f.ids = {id};
  MOX_ASSIGN(auto v, select(db, f, 0, retired));
  if (v.empty()) {
    return Error{ErrorKind::kNotFound,
                 std::string(retired ? "no retired message" : "no queued message") + " with id " +
                     std::to_string(id)};
  }
  return v[0];
}

// The IDs of the matching messages that no runner is delivering now.
Result<std::vector<int64_t>> matching_ids(db::Db& db, const Filter& f, int64_t now) {
  MOX_ASSIGN(auto msgs, select(db, f, now, false));
  std::vector<int64_t> ids;
  for (const auto& m : msgs) ids.push_back(m.id);
  return ids;
}

// Appends `r` to the message's Results and sets LastAttempt, plus `more`
// assignments (?3 is `extra`).
Status append_result(db::Db& db, int64_t id, const AttemptResult& r, const std::string& more,
                     int64_t extra = 0) {
  MOX_ASSIGN(auto q, db.prepare("UPDATE Msg SET Results=json_insert(Results, '$[#]', json_object("
                                "'Start', ?4, 'Duration', ?5, 'Success', json(?6), 'Code', ?7, "
                                "'Secode', ?8, 'Error', ?9, 'Host', ?10)), LastAttempt=?2, " +
                                more + " WHERE ID=?1"));
  q.bind(1, id).bind(2, r.start).bind(3, extra).bind(4, r.start).bind(5, r.duration_ms);
  q.bind(6, r.success ? "true" : "false").bind(7, r.code).bind(8, r.secode).bind(9, r.error);
  q.bind(10, r.host);
  MOX_TRY(q.run());
  if (db.changes() == 0)
    return Error{ErrorKind::kNotFound, "no queued message with id " + std::to_string(id)};
  return {};
}

std::string id_list(const std::vector<int64_t>& ids) {
  std::string s;
  for (int64_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

}  // namespace

std::string Msg::sender() const {
  if (sender_localpart.empty() && sender_domain.empty()) return "";
  return sender_localpart + "@" + sender_domain;
}

std::string Msg::recipient() const { return recipient_localpart + "@" + recipient_domain; }

std::string Msg::json() const {
  JsonObject o;
  o.add("ID", id).add("BaseID", base_id).add("Queued", queued).add("Hold", hold);
  o.add("SenderAccount", sender_account).add("Sender", sender()).add("Recipient", recipient());
  o.add("Attempts", attempts).add("MaxAttempts", max_attempts);
  o.add("NextAttempt", next_attempt).add("LastAttempt", last_attempt);
  o.add("Has8bit", has_8bit).add("SMTPUTF8", smtputf8).add("Size", size);
  o.add("MessageID", message_id).add("Subject", subject).add("Transport", transport);
  o.add("DKIMSigned", msg_prefix.find("DKIM-Signature:") != std::string::npos);
  o.add_raw("Results", results.empty() ? "[]" : results);
  if (last_activity != 0) {
    o.add("LastActivity", last_activity).add("Success", success).add("KeepUntil", keep_until);
  }
  return o.str();
}

Result<DurationFilter> DurationFilter::parse(std::string_view s) {
  DurationFilter d;
  if (s.empty() || (s[0] != '<' && s[0] != '>')) {
    return user_error("bad duration filter \"" + std::string(s) +
                      "\" (want <DURATION or >DURATION, e.g. <1h)");
  }
  d.less = s[0] == '<';
  auto dur = config::parse_duration(s.substr(1));
  if (!dur)
    return user_error("bad duration filter \"" + std::string(s) + "\": " + dur.error().message);
  d.seconds = std::chrono::duration_cast<std::chrono::seconds>(*dur).count();
  return d;
}

Result<std::vector<Msg>> list_messages(db::Db& db, const Filter& f, int64_t now) {
  return select(db, f, now, false);
}

Result<std::vector<Msg>> list_retired(db::Db& db, const Filter& f, int64_t now) {
  return select(db, f, now, true);
}

Result<Msg> get_message(db::Db& db, int64_t id) { return get_one(db, id, false); }
Result<Msg> get_retired(db::Db& db, int64_t id) { return get_one(db, id, true); }

Result<int64_t> set_hold(db::Db& db, const Filter& f, bool hold, int64_t now) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto ids, matching_ids(db, f, now));
  if (ids.empty()) return int64_t{0};
  MOX_TRY(db.exec("UPDATE Msg SET Hold=" + std::to_string(hold ? 1 : 0) + " WHERE ID IN (" +
                  id_list(ids) + ")"));
  int64_t n = db.changes();
  MOX_TRY(tx.commit());
  return n;
}

Result<int64_t> reschedule(db::Db& db, const Filter& f, bool from_now, int64_t seconds,
                           int64_t now) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(auto ids, matching_ids(db, f, now));
  if (ids.empty()) return int64_t{0};
  std::string base = from_now ? std::to_string(now) : "NextAttempt";
  MOX_TRY(db.exec("UPDATE Msg SET NextAttempt=" + base + "+(" + std::to_string(seconds) +
                  ") WHERE ID IN (" + id_list(ids) + ")"));
  int64_t n = db.changes();
  MOX_TRY(tx.commit());
  return n;
}

Status retire(db::Db& db, const std::string& data_dir, int64_t id, const AttemptResult& r,
              int64_t keep_seconds, int64_t now) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_TRY(append_result(db, id, r, "Attempts=Attempts+?3", r.counts ? 1 : 0));
  if (keep_seconds > 0) {
    MOX_ASSIGN(auto ins,
               db.prepare("INSERT INTO MsgRetired SELECT ID, BaseID, Queued, Hold, "
                          "SenderAccount, SenderLocalpart, SenderDomain, FromID, "
                          "RecipientLocalpart, RecipientDomain, Attempts, MaxAttempts, "
                          "DialedIPs, NextAttempt, LastAttempt, Results, "
                          "Has8bit, SMTPUTF8, IsDMARCReport, IsTLSReport, Size, MessageID, "
                          "MsgPrefix, Subject, DSNUTF8, Transport, RequireTLS, "
                          "FutureReleaseRequest, Extra, ?2, ?3, ?4 FROM Msg WHERE ID=?1"));
    MOX_TRY(
        ins.bind(1, id).bind(2, now).bind(3, int64_t{r.success}).bind(4, now + keep_seconds).run());
  }
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM Msg WHERE ID=?"));
  MOX_TRY(del.bind(1, id).run());
  if (db.changes() == 0)
    return Error{ErrorKind::kNotFound, "no queued message with id " + std::to_string(id)};
  MOX_TRY(tx.commit());
  // The file after the commit: a crash in between leaves an orphan file
  // (removed by a later run), never a row without its file.
  if (::unlink(queue_message_path(data_dir, id).c_str()) != 0 && errno != ENOENT) {
    return internal_error("removing queue file: " + std::string(std::strerror(errno)));
  }
  return {};
}

Status record_retry(db::Db& db, int64_t id, const AttemptResult& r, int64_t next_attempt) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_TRY(append_result(
      db, id, r, "Attempts=Attempts+1, NextAttempt=?3, LeaseOwner='', LeaseUntil=0", next_attempt));
  MOX_TRY(tx.commit());
  return {};
}

Result<int64_t> purge_retired(db::Db& db, int64_t now) {
  MOX_ASSIGN(auto q, db.prepare("DELETE FROM MsgRetired WHERE KeepUntil<?"));
  MOX_TRY(q.bind(1, now).run());
  return static_cast<int64_t>(db.changes());
}

Result<int64_t> remove_orphan_files(db::Db& db, const std::string& data_dir, int64_t now) {
  namespace fs = std::filesystem;
  std::error_code ec;
  MOX_ASSIGN(auto q, db.prepare("SELECT 1 FROM Msg WHERE ID=?"));
  int64_t removed = 0;
  for (const auto& dir : fs::directory_iterator(data_dir + "/queue/msg", ec)) {
    if (!dir.is_directory(ec)) continue;
    for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
      const std::string name = f.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      struct stat st {};
      if (::stat(f.path().c_str(), &st) != 0 || st.st_mtime > now - 3600) continue;
      q.reset();
      q.bind(1, static_cast<int64_t>(std::stoll(name)));
      MOX_ASSIGN(bool row, q.step());
      if (!row && ::unlink(f.path().c_str()) == 0) ++removed;
    }
  }
  return removed;
}

Result<std::string> message_path(const std::string& data_dir, const Msg& m) {
  std::string p = queue_message_path(data_dir, m.id);
  if (::access(p.c_str(), R_OK) != 0) {
    return internal_error("message file " + p + ": " + std::strerror(errno));
  }
  return p;
}

}  // namespace mox::queue
