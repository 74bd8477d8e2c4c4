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

std::optional<Session::SearchHits> Session::search_messages(const imap::Command& c,
                                                            const imap::SearchArgs& a,
                                                            Output& out) {
  if (search_refused(a, c.tag, out)) return std::nullopt;
  CommandBudget budget(backend_, s_.command_budget, true);
  updates(out, c.uid);
  std::vector<store::MessageRow> rows;
  auto by_seq = selected_rows(rows);
  Status st = by_seq ? Status() : Status(by_seq.error());
  // Messages stored before the index existed are parsed now, once.
  if (st && search_needs_text(a.program)) st = mailstore_->ensure_parsed(mailbox_->id);
  auto program =
      st ? SearchProgram::prepare(a.program, *mailstore_, true) : Result<SearchProgram>(st.error());
  if (!program) {
    store_failure(out, c.tag, program.error(), "");
    return std::nullopt;
  }
  std::unique_ptr<SearchText> reader = mailstore_->search_text();
  std::vector<int64_t> recent = recent_uids();
  SearchView view{saved_, static_cast<uint32_t>(msgs_.size()),
                  msgs_.empty() ? 0u : static_cast<uint32_t>(msgs_.back().uid), &recent};
  SearchRun run = run_search(*program, *by_seq, view, *reader, budget);
  if (run.stopped) {
    std::string name(imap::command_name(c.verb, false));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    over_budget(out, c.tag, budget, name);
    return std::nullopt;
  }
  SearchHits h;
  h.index = std::move(run.matches);
  for (size_t i : h.index) h.modseqs.push_back((*by_seq)[i]->modseq);
  h.max_modseq = run.max_modseq;
  if (search_uses_modseq(a.program)) enable_condstore(out);
  h.modseq = search_uses_modseq(a.program) && !h.index.empty();
  return h;
}

void Session::cmd_search(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SearchArgs>(c.args);
  std::optional<SearchHits> found = search_messages(c, a, out);
  if (!found) return;
  std::vector<uint32_t> hits;
  std::vector<int64_t> hit_uids;
  for (size_t i : found->index) {
    hits.push_back(c.uid ? static_cast<uint32_t>(msgs_[i].uid) : static_cast<uint32_t>(i + 1));
    hit_uids.push_back(msgs_[i].uid);
  }
  if (!a.returns) {
    out.reply += "* SEARCH";
    for (uint32_t n : hits) out.reply += " " + std::to_string(n);
    if (found->modseq) out.reply += " (MODSEQ " + std::to_string(found->max_modseq) + ")";
    out.reply += "\r\n";
    return respond(out, c.tag, imap::Condition::kOk, "", "search done");
  }
  std::string code;
  if (std::count(a.returns->begin(), a.returns->end(), SearchReturn::kUpdate) > 0 &&
      !search_keep(c, hit_uids)) {
    // RFC 5267 §4.1: the result is returned, but not kept up to date.
    code = "NOUPDATE ";
    imap::append_string(code, c.tag, false);
  }
  esearch_reply(c, a, hits, hit_uids, *found, false, out);
  respond(out, c.tag, imap::Condition::kOk, code, "search done");
}

void Session::esearch_reply(const imap::Command& c, const imap::SearchArgs& a,
                            const std::vector<uint32_t>& numbers, const std::vector<int64_t>& uids,
                            const SearchHits& h, bool sorted, Output& out) {
  const std::vector<SearchReturn>& ret = *a.returns;
  auto want = [&](SearchReturn r) { return std::find(ret.begin(), ret.end(), r) != ret.end(); };
  if (want(SearchReturn::kSave)) saved_ = uids;
  if (ret.size() == 1 && want(SearchReturn::kSave)) return;
  std::string modseq_item;
  if (h.modseq) {
    // RFC 7162 §3.1.5: the highest mod-sequence of the messages returned;
    // MIN and MAX alone return only those messages (RFC 4731 §3.1): the
    // first and last in `numbers`' order (ascending, or for ESORT the sort
    // order).
    int64_t ms = h.max_modseq;
    bool all = ret.empty() || want(SearchReturn::kAll);
    if (!all && !want(SearchReturn::kCount) && !a.partial) {
      ms = 0;
      auto modseq_of = [&](uint32_t n) {
        for (size_t k = 0; k < h.index.size(); ++k) {
          size_t i = h.index[k];
          if ((c.uid ? static_cast<uint32_t>(msgs_[i].uid) : static_cast<uint32_t>(i + 1)) == n)
            return h.modseqs[k];
        }
        return int64_t{0};
      };
      if (want(SearchReturn::kMin)) ms = std::max(ms, modseq_of(numbers.front()));
      if (want(SearchReturn::kMax)) ms = std::max(ms, modseq_of(numbers.back()));
      if (ms == 0) ms = h.max_modseq;
    }
    modseq_item = " MODSEQ " + std::to_string(ms);
  }
  out.reply += esearch_head({c.tag, c.uid, std::nullopt, 0, utf8_}) +
               esearch_items(numbers, ret, a.partial, sorted) + modseq_item + "\r\n";
}

}  // namespace mox::imapserver
