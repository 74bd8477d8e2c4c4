#include "store/parsed.h"

#include "message/fetch.h"
#include "message/mime.h"
#include "message/searchtext.h"
#include "store/msgfile.h"
#include "util/fs.h"
#include "util/utf8.h"

namespace mox::store {
namespace {

// Inside a write transaction: whether message `id` still needs parsing (it
// exists, is not expunged and has no parsed forms). Another process may have
// parsed it since we looked.
Result<bool> needs_parsing(Db& db, int64_t id) {
  MOX_ASSIGN(Stmt q, db.prepare("SELECT Parsed = 0 AND Expunged = 0 FROM Message WHERE ID = ?"));
  q.bind(1, id);
  MOX_ASSIGN(bool row, q.step());
  return row && q.col_int(0) != 0;
}

// Parses message `id` from its file and stores the result in its own
// transaction. Returns the parsed forms (those of an empty message when the
// file is gone: expunged by another process meanwhile).
Result<ParsedMessage> parse_and_store(AccountStore& a, int64_t id) {
  auto data = read_file(message_file_path(a.dir(), id));
  ParsedMessage p = parse_for_index(data ? std::string_view(*data) : std::string_view());
  if (!data) return p;
  Db& db = a.db();
  MOX_ASSIGN(Tx tx, Tx::begin(db));
  MOX_ASSIGN(bool needed, needs_parsing(db, id));
  if (!needed) return p;  // rolls back: nothing written
  MOX_TRY(store_parsed(db, id, p));
  MOX_TRY(tx.commit());
  return p;
}

// An FTS5 query for the rows that hold every trigram of `needle`: "abc" AND
// "bcd" AND ..., each an FTS5 string (" doubled) that the trigram tokenizer
// folds as it folded the text. A long needle is sampled: every third
// trigram (they still cover all its characters) and the last; the
// candidates are checked anyway.
std::string fts_trigrams(std::string_view needle) {
  std::vector<size_t> starts;  // byte offset of each code point, and the end
  for (size_t i = 0; i < needle.size();) {
    starts.push_back(i);
    next_code_point(needle, i);
  }
  starts.push_back(needle.size());
  size_t n = starts.size() - 1;  // code points
  if (n < 3) return "";
  size_t step = n - 2 > 32 ? 3 : 1;
  std::string q;
  for (size_t k = 0; k + 3 <= n; k += step) {
    if (step > 1 && k + 3 + step > n) k = n - 3;  // the last trigram
    std::string_view tri = needle.substr(starts[k], starts[k + 3] - starts[k]);
    q += q.empty() ? "\"" : " AND \"";
    for (char c : tri) {
      if (c == '"') q += '"';
      q += c;
    }
    q += '"';
  }
  return q;
}

}  // namespace

ParsedMessage parse_for_index(std::string_view message) {
  message::Part root = message::parse_message(message);
  ParsedMessage p;
  p.fetch.envelope = message::envelope(root);
  p.fetch.bodystructure = message::bodystructure(root, true);
  p.fetch.body = message::bodystructure(root, false);
  message::SearchText t = message::extract_search_text(message, root);
  p.headers = message::header_lines(t.headers);
  p.text = std::move(t.body);
  return p;
}

Status store_parsed(Db& db, int64_t id, const ParsedMessage& p) {
  MOX_ASSIGN(Stmt up, db.prepare("UPDATE Message SET Parsed = 1, ImapEnvelope = ?, "
                                 "ImapBodyStructure = ?, ImapBody = ? WHERE ID = ?"));
  up.bind_blob(1, p.fetch.envelope).bind_blob(2, p.fetch.bodystructure);
  MOX_TRY(up.bind_blob(3, p.fetch.body).bind(4, id).run());
  MOX_ASSIGN(Stmt ins, db.prepare("INSERT INTO MessageText (rowid, Headers, Body) VALUES (?, ?, ?)"));
  return ins.bind(1, id).bind(2, p.headers).bind(3, p.text).run();
}

Status copy_parsed(Db& db, int64_t from, int64_t to) {
  MOX_ASSIGN(Stmt up, db.prepare(
                          "UPDATE Message SET (Parsed, ImapEnvelope, ImapBodyStructure, ImapBody) = "
                          "(SELECT Parsed, ImapEnvelope, ImapBodyStructure, ImapBody FROM Message "
                          "WHERE ID = ?1) WHERE ID = ?2"));
  MOX_TRY(up.bind(1, from).bind(2, to).run());
  MOX_ASSIGN(Stmt ins, db.prepare("INSERT INTO MessageText (rowid, Headers, Body) "
                                  "SELECT ?2, Headers, Body FROM MessageText WHERE rowid = ?1"));
  return ins.bind(1, from).bind(2, to).run();
}

Status remove_search_text(Db& db, int64_t id) {
  MOX_ASSIGN(Stmt d, db.prepare("DELETE FROM MessageText WHERE rowid = ?"));
  return d.bind(1, id).run();
}

Result<std::vector<FetchForms>> fetch_forms(AccountStore& a, const std::vector<int64_t>& ids) {
  std::vector<FetchForms> out;
  out.reserve(ids.size());
  MOX_ASSIGN(Stmt q, a.db().prepare("SELECT Parsed, ImapEnvelope, ImapBodyStructure, ImapBody "
                                    "FROM Message WHERE ID = ?"));
  for (int64_t id : ids) {
    q.reset();
    q.bind(1, id);
    MOX_ASSIGN(bool row, q.step());
    if (row && q.col_int(0) != 0) {
      out.push_back({q.col_blob(1), q.col_blob(2), q.col_blob(3)});
      continue;
    }
    q.reset();  // no statement open on the read while parse_and_store writes
    MOX_ASSIGN(ParsedMessage p, parse_and_store(a, id));
    out.push_back(std::move(p.fetch));
  }
  return out;
}

Status ensure_parsed(AccountStore& a, int64_t mailbox_id) {
  std::vector<int64_t> ids;
  {
    MOX_ASSIGN(Stmt q, a.db().prepare("SELECT ID FROM Message WHERE MailboxID = ? AND Parsed = 0 "
                                      "AND Expunged = 0"));
    q.bind(1, mailbox_id);
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      ids.push_back(q.col_int(0));
    }
  }
  for (int64_t id : ids) MOX_TRY(parse_and_store(a, id));
  return {};
}

Result<std::vector<int64_t>> text_search(AccountStore& a, std::string_view needle) {
  MOX_ASSIGN(Stmt s, a.db().prepare("SELECT rowid FROM MessageText WHERE MessageText MATCH ? "
                                    "ORDER BY rowid"));
  std::string q = fts_trigrams(sanitize_utf8(needle));
  if (q.empty()) return internal_error("text_search: needle shorter than a trigram");
  s.bind(1, q);
  std::vector<int64_t> out;
  while (true) {
    MOX_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back(s.col_int(0));
  }
  return out;
}

Result<std::string> SearchTextReader::column(Stmt& q, const char* sql, int64_t id) {
  if (!q.valid()) {
    MOX_ASSIGN(q, a_.db().prepare(sql));
  }
  q.reset();
  q.bind(1, id);
  MOX_ASSIGN(bool row, q.step());
  std::string v = row ? q.col_text(0) : std::string();
  q.reset();
  return v;
}

Result<std::string> SearchTextReader::headers(int64_t id) {
  return column(headers_, "SELECT Headers FROM MessageText WHERE rowid = ?", id);
}

Result<std::string> SearchTextReader::body(int64_t id) {
  return column(body_, "SELECT Body FROM MessageText WHERE rowid = ?", id);
}

}  // namespace mox::store
