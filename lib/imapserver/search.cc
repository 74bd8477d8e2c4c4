// SEARCH (RFC 9051 §6.4.4) with ESEARCH results (RFC 4731), SEARCHRES
// (RFC 5182), PARTIAL (RFC 9394) and UPDATE (CONTEXT=SEARCH RFC 5267 §4,
// search_update.cc). The program is evaluated by search_eval.h; the
// ESEARCH response is written by search_result.h.
#include <algorithm>
#include <variant>

#include "imapserver/search_eval.h"
#include "imapserver/search_result.h"
#include "imapserver/session.h"

namespace mox::imapserver {

using imap::SearchReturn;

bool Session::search_refused(const imap::SearchArgs& a, const std::string& tag, Output& out) {
  if (a.charset && *a.charset != "UTF-8" && *a.charset != "US-ASCII") {
    respond(out, tag, imap::Condition::kNo, "BADCHARSET (UTF-8 US-ASCII)", "unsupported charset");
    return true;
  }
  if (count_search_keys(a.program) > s_.max_search_keys) {
    respond(out, tag, imap::Condition::kNo, "LIMIT", "too many search keys");
    return true;
  }
  return false;
}

Result<std::vector<const store::MessageRow*>> Session::selected_rows(
    std::vector<store::MessageRow>& rows) {
  MOX_ASSIGN(rows, mailstore_->list_messages(mailbox_->id));
  // Both in UID order; a message expunged elsewhere and not yet reported
  // keeps its sequence number but has no row.
  std::vector<const store::MessageRow*> by_seq(msgs_.size(), nullptr);
  size_t j = 0;
  for (size_t i = 0; i < msgs_.size(); ++i) {
    while (j < rows.size() && rows[j].uid < msgs_[i].uid) ++j;
    if (j < rows.size() && rows[j].uid == msgs_[i].uid) by_seq[i] = &rows[j];
  }
  return by_seq;
}

void Session::cmd_search(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SearchArgs>(c.args);
  if (search_refused(a, c.tag, out)) return;
  CommandBudget budget(backend_, s_.command_budget, true);
  updates(out, c.uid);
  std::vector<store::MessageRow> rows;
  auto by_seq = selected_rows(rows);
  if (!by_seq) return store_failure(out, c.tag, by_seq.error(), "");
  // Messages stored before the index existed are parsed now, once.
  if (search_needs_text(a.program)) {
    if (Status st = mailstore_->ensure_parsed(mailbox_->id); !st) {
      return store_failure(out, c.tag, st.error(), "");
    }
  }
  auto program = SearchProgram::prepare(a.program, *mailstore_, true);
  if (!program) return store_failure(out, c.tag, program.error(), "");
  std::unique_ptr<SearchText> reader = mailstore_->search_text();
  SearchView view{saved_, static_cast<uint32_t>(msgs_.size()),
                  msgs_.empty() ? 0u : static_cast<uint32_t>(msgs_.back().uid)};
  SearchRun run = run_search(*program, *by_seq, view, *reader, budget);
  if (run.stopped) return over_budget(out, c.tag, budget, "search");
  std::vector<uint32_t> hits;
  std::vector<int64_t> hit_uids;
  for (size_t i : run.matches) {
    hits.push_back(c.uid ? static_cast<uint32_t>(msgs_[i].uid) : static_cast<uint32_t>(i + 1));
    hit_uids.push_back(msgs_[i].uid);
  }
  bool modseq = search_uses_modseq(a.program) && !hits.empty();
  if (modseq) condstore_ = true;
  std::string modseq_item = modseq ? " MODSEQ " + std::to_string(run.max_modseq) : "";
  if (!a.returns) {
    out.reply += "* SEARCH";
    for (uint32_t n : hits) out.reply += " " + std::to_string(n);
    if (modseq) out.reply += " (MODSEQ " + std::to_string(run.max_modseq) + ")";
    out.reply += "\r\n";
    return respond(out, c.tag, imap::Condition::kOk, "", "search done");
  }
  const std::vector<SearchReturn>& ret = *a.returns;
  auto want = [&](SearchReturn r) { return std::find(ret.begin(), ret.end(), r) != ret.end(); };
  if (want(SearchReturn::kSave)) saved_ = hit_uids;
  std::string code;
  if (want(SearchReturn::kUpdate) && !search_keep(c, hit_uids)) {
    // RFC 5267 §4.1: the result is returned, but not kept up to date.
    code = "NOUPDATE ";
    imap::append_string(code, c.tag, false);
  }
  if (!(ret.size() == 1 && want(SearchReturn::kSave))) {
    out.reply += esearch_head({c.tag, c.uid, std::nullopt, 0, utf8_}) +
                 esearch_items(hits, ret, a.partial, false) + modseq_item + "\r\n";
  }
  respond(out, c.tag, imap::Condition::kOk, code, "search done");
}

}  // namespace mox::imapserver
