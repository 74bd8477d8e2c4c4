#include "store/parsed.h"

#include <algorithm>

#include "message/fetch.h"
#include "message/mime.h"
#include "message/searchtext.h"
#include "store/kept.h"
#include "store/msgfile.h"
#include "store/sortkeys.h"
#include "util/fs.h"
#include "util/utf8.h"

namespace mox::store {
namespace {

// Inside a write transaction: whether message `id` still needs parsing (it
// exists, is not expunged and its search text is not indexed). Another
// process may have indexed it since we looked.
Result<bool> needs_parsing(db::Db& db, int64_t id) {
  MOX_ASSIGN(db::Stmt q,
             db.prepare("SELECT Parsed = 0 AND Expunged = 0 FROM Message WHERE ID = ?"));
  q.bind(1, id);
  MOX_ASSIGN(bool row, q.step());
  return row && q.col_int(0) != 0;
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

// Messages indexed per transaction by ensure_parsed(): a mailbox of mail
// waiting for its index is done in a few commits, not one per message.
constexpr size_t kParseBatch = 64;

}  // namespace

FetchForms parse_fetch_forms(std::string_view message) {
  message::Part root = message::parse_message(message);
  return {message::envelope(root), message::bodystructure(root, true),
          message::bodystructure(root, false)};
}

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

FetchForms fetch_forms_of(const message::Parsed& parsed) {
  return {message::envelope(parsed.root), message::bodystructure(parsed.root, true),
          message::bodystructure(parsed.root, false)};
}

ParsedMessage index_form(std::string_view message, const message::Parsed& parsed) {
  const message::Header* h = parsed.fields();
  if (parsed.size != message.size() || !h) return parse_for_index(message);
  ParsedMessage p;
  p.fetch = fetch_forms_of(parsed);
  message::SearchText t = message::extract_search_text(message, parsed.root, *h);
  p.headers = message::header_lines(t.headers);
  p.text = std::move(t.body);
  return p;
}

namespace {

// `parsed` < 0: Parsed is left as it is.
Status update_forms(db::Db& db, int64_t id, const FetchForms& f, int parsed) {
  MOX_ASSIGN(db::Stmt up,
             db.prepare("UPDATE Message SET Parsed = CASE WHEN ?1 < 0 THEN Parsed ELSE ?1 "
                        "END, ImapEnvelope = ?2, ImapBodyStructure = ?3, ImapBody = ?4, "
                        "FormsVersion = ?5 WHERE ID = ?6"));
  up.bind(1, parsed).bind_blob(2, f.envelope).bind_blob(3, f.bodystructure);
  return up.bind_blob(4, f.body).bind(5, kFormsVersion).bind(6, id).run();
}

}  // namespace

Status store_fetch_forms(db::Db& db, int64_t id, const FetchForms& f) {
  return update_forms(db, id, f, 0);
}

std::vector<ParsedFile> parse_message_files(const std::string& account_dir,
                                            const std::vector<int64_t>& ids, KeptMessages* kept) {
  std::vector<ParsedFile> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    if (auto k = kept ? kept->take(id) : nullptr) {
      out.push_back({id, index_form(k->bytes, *k->parsed)});
      continue;
    }
    auto data = read_file(message_file_path(account_dir, id));
    if (data) out.push_back({id, parse_for_index(*data)});
  }
  return out;
}

Status store_parsed_batch(db::Db& db, const std::vector<ParsedFile>& files) {
  if (files.empty()) return {};
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(db));
  for (const auto& f : files) {
    MOX_ASSIGN(bool needed, needs_parsing(db, f.id));
    if (needed) MOX_TRY(store_parsed(db, f.id, f.parsed));
  }
  return tx.commit();
}

Status store_parsed(db::Db& db, int64_t id, const ParsedMessage& p) {
  MOX_TRY(update_forms(db, id, p.fetch, 1));
  MOX_ASSIGN(db::Stmt ins,
             db.prepare("INSERT INTO MessageText (rowid, Headers, Body) VALUES (?, ?, ?)"));
  return ins.bind(1, id).bind(2, p.headers).bind(3, p.text).run();
}

Status copy_parsed(db::Db& db, int64_t from, int64_t to) {
  // The origin of the message (store_message_auth) goes with it too.
  MOX_ASSIGN(
      db::Stmt up,
      db.prepare("UPDATE Message SET (Parsed, ImapEnvelope, ImapBodyStructure, ImapBody, "
                 "FormsVersion, RemoteIP, EHLODomain, MailFrom, MailFromDomain, MsgFromDomain, "
                 "MsgFromOrgDomain, SPFResult, HeloSPFResult, DKIMDomains, DMARCResult, "
                 "IprevResult, EHLOValidated, MailFromValidated, MsgFromValidated) = "
                 "(SELECT Parsed, ImapEnvelope, ImapBodyStructure, ImapBody, "
                 "FormsVersion, RemoteIP, EHLODomain, MailFrom, MailFromDomain, MsgFromDomain, "
                 "MsgFromOrgDomain, SPFResult, HeloSPFResult, DKIMDomains, DMARCResult, "
                 "IprevResult, EHLOValidated, MailFromValidated, MsgFromValidated "
                 "FROM Message WHERE ID = ?1) WHERE ID = ?2"));
  MOX_TRY(up.bind(1, from).bind(2, to).run());
  MOX_TRY(copy_sort_keys(db, from, to));  // store/sortkeys.h
  MOX_ASSIGN(db::Stmt ins,
             db.prepare("INSERT INTO MessageText (rowid, Headers, Body) "
                        "SELECT ?2, Headers, Body FROM MessageText WHERE rowid = ?1"));
  return ins.bind(1, from).bind(2, to).run();
}

Status remove_search_text(db::Db& db, int64_t id) {
  MOX_ASSIGN(db::Stmt d, db.prepare("DELETE FROM MessageText WHERE rowid = ?"));
  return d.bind(1, id).run();
}

namespace {

// Parses message `id` from its file and stores the result in its own
// transaction. Returns the parsed forms (those of an empty message when the
// file is gone: expunged by another process meanwhile).
Result<ParsedMessage> parse_and_store(AccountStore& a, int64_t id) {
  std::vector<ParsedFile> files = parse_message_files(a.dir(), {id});
  if (files.empty()) return parse_for_index("");
  MOX_TRY(store_parsed_batch(a.db(), files));
  return std::move(files[0].parsed);
}

// Renders the FETCH forms of indexed message `id` again (their version is
// older than kFormsVersion) and stores them in their own transaction.
Result<FetchForms> refresh_forms(AccountStore& a, int64_t id) {
  auto data = read_file(message_file_path(a.dir(), id));
  if (!data) return parse_fetch_forms("");  // expunged meanwhile
  FetchForms f = parse_fetch_forms(*data);
  MOX_ASSIGN(db::Tx tx, db::Tx::begin(a.db()));
  MOX_TRY(update_forms(a.db(), id, f, -1));
  MOX_TRY(tx.commit());
  return f;
}

}  // namespace

Result<std::vector<FetchForms>> fetch_forms(AccountStore& a, const std::vector<int64_t>& ids) {
  std::vector<FetchForms> out;
  out.reserve(ids.size());
  MOX_ASSIGN(db::Stmt q, a.db().prepare("SELECT ImapEnvelope IS NOT NULL, ImapEnvelope, "
                                        "ImapBodyStructure, ImapBody, FormsVersion >= ?2, Parsed "
                                        "FROM Message WHERE ID = ?1"));
  for (int64_t id : ids) {
    q.reset();
    q.bind(1, id).bind(2, kFormsVersion);
    MOX_ASSIGN(bool row, q.step());
    if (row && q.col_int(0) != 0 && q.col_int(4) != 0) {
      out.push_back({q.col_blob(1), q.col_blob(2), q.col_blob(3)});
      continue;
    }
    bool indexed = row && q.col_int(5) != 0;
    q.reset();  // no statement open on the read while the forms are stored
    if (indexed) {
      // Forms of an older version; the search text stays as it is.
      MOX_ASSIGN(FetchForms f, refresh_forms(a, id));
      out.push_back(std::move(f));
      continue;
    }
    MOX_ASSIGN(ParsedMessage p, parse_and_store(a, id));
    out.push_back(std::move(p.fetch));
  }
  return out;
}

Status ensure_parsed(AccountStore& a, int64_t mailbox_id) {
  std::vector<int64_t> ids;
  {
    MOX_ASSIGN(db::Stmt q,
               a.db().prepare("SELECT ID FROM Message WHERE MailboxID = ? AND Parsed = 0 "
                              "AND Expunged = 0"));
    q.bind(1, mailbox_id);
    while (true) {
      MOX_ASSIGN(bool row, q.step());
      if (!row) break;
      ids.push_back(q.col_int(0));
    }
  }
  for (size_t i = 0; i < ids.size(); i += kParseBatch) {
    std::vector<int64_t> batch(ids.begin() + i,
                               ids.begin() + std::min(ids.size(), i + kParseBatch));
    MOX_TRY(store_parsed_batch(a.db(), parse_message_files(a.dir(), batch)));
  }
  return {};
}

Result<std::vector<int64_t>> text_search(AccountStore& a, std::string_view needle) {
  MOX_ASSIGN(db::Stmt s, a.db().prepare("SELECT rowid FROM MessageText WHERE MessageText MATCH ? "
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

Result<std::string> SearchTextReader::column(db::Stmt& q, const char* sql, int64_t id) {
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

namespace mox::store {

Status store_message_auth(db::Db& db, int64_t id, const MessageAuth& a) {
  MOX_ASSIGN(db::Stmt up,
             db.prepare("UPDATE Message SET RemoteIP = ?, EHLODomain = ?, MailFrom = ?, "
                        "MailFromDomain = ?, MsgFromDomain = ?, MsgFromOrgDomain = ?, "
                        "SPFResult = ?, HeloSPFResult = ?, DKIMDomains = ?, DMARCResult = ?, "
                        "IprevResult = ?, EHLOValidated = ?, MailFromValidated = ?, "
                        "MsgFromValidated = ? WHERE ID = ?"));
  up.bind(1, a.remote_ip).bind(2, a.ehlo_domain).bind(3, a.mail_from).bind(4, a.mail_from_domain);
  up.bind(5, a.msg_from_domain).bind(6, a.msg_from_org_domain).bind(7, a.spf).bind(8, a.helo_spf);
  up.bind(9, a.dkim_domains).bind(10, a.dmarc).bind(11, a.iprev);
  up.bind(12, int64_t{a.ehlo_validated}).bind(13, int64_t{a.mail_from_validated});
  up.bind(14, int64_t{a.msg_from_validated}).bind(15, id);
  return up.run();
}

Result<std::optional<MessageAuth>> load_message_auth(db::Db& db, int64_t id) {
  MOX_ASSIGN(db::Stmt q,
             db.prepare("SELECT RemoteIP, EHLODomain, MailFrom, MailFromDomain, MsgFromDomain, "
                        "MsgFromOrgDomain, SPFResult, HeloSPFResult, DKIMDomains, DMARCResult, "
                        "IprevResult, EHLOValidated, MailFromValidated, MsgFromValidated "
                        "FROM Message WHERE ID = ?"));
  q.bind(1, id);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return std::optional<MessageAuth>();
  MessageAuth a{q.col_text(0),      q.col_text(1),     q.col_text(2),  q.col_text(3),
                q.col_text(4),      q.col_text(5),     q.col_text(6),  q.col_text(7),
                q.col_text(8),      q.col_text(9),     q.col_text(10), q.col_int(11) != 0,
                q.col_int(12) != 0, q.col_int(13) != 0};
  return std::optional<MessageAuth>(std::move(a));
}

}  // namespace mox::store
