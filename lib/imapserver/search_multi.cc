// ESEARCH (MULTISEARCH RFC 7377): one SEARCH program over several mailboxes,
// answered with an ESEARCH response per mailbox that has matches, carrying
// MAILBOX and UIDVALIDITY, always with UIDs (RFC 7377 §2).
#include <algorithm>
#include <variant>

#include "imapserver/search_eval.h"
#include "imapserver/search_result.h"
#include "imapserver/session.h"

namespace mox::imapserver {
namespace {

using imap::SearchReturn;
using imap::SearchSource;

bool uses_saved(const imap::SearchKey& k) {
  if ((k.op == imap::SearchKey::Op::kSeqSet || k.op == imap::SearchKey::Op::kUid) &&
      k.set.search_result()) {
    return true;
  }
  return std::any_of(k.children.begin(), k.children.end(), uses_saved);
}

// Whether mailbox `m` is one that filter `s` names (RFC 5465 §6, RFC 7377
// §2). `selected` is the selected mailbox's ID, or 0.
bool in_source(const SearchSource& s, const store::Mailbox& m, int64_t selected,
               const std::vector<std::string>& subscribed) {
  using Kind = SearchSource::Kind;
  auto under = [&](const std::string& parent, bool one_level) {
    if (m.name == parent) return true;
    if (m.name.size() <= parent.size() + 1 || m.name.compare(0, parent.size(), parent) != 0 ||
        m.name[parent.size()] != '/') {
      return false;
    }
    return !one_level || m.name.find('/', parent.size() + 1) == std::string::npos;
  };
  switch (s.kind) {
    case Kind::kSelected:
    case Kind::kSelectedDelayed:
      return m.id == selected;
    case Kind::kInboxes:  // where new mail is delivered: the account's Inbox
      return m.name == "Inbox";
    case Kind::kPersonal:
      return true;
    case Kind::kSubscribed:
      return std::find(subscribed.begin(), subscribed.end(), m.name) != subscribed.end();
    case Kind::kSubtree:
    case Kind::kSubtreeOne:
      return std::any_of(s.mailboxes.begin(), s.mailboxes.end(), [&](const std::string& p) {
        return under(p, s.kind == Kind::kSubtreeOne);
      });
    case Kind::kMailboxes:
      return std::find(s.mailboxes.begin(), s.mailboxes.end(), m.name) != s.mailboxes.end();
  }
  return false;
}

}  // namespace

void Session::cmd_esearch(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SearchArgs>(c.args);
  auto want = [&](SearchReturn r) {
    return a.returns && std::find(a.returns->begin(), a.returns->end(), r) != a.returns->end();
  };
  // RFC 7377 §2: "$" and SAVE belong to the selected mailbox; results over
  // several mailboxes are not kept up to date.
  if (want(SearchReturn::kSave) || want(SearchReturn::kUpdate) || uses_saved(a.program)) {
    return bad(out, c.tag, "ESEARCH takes neither SAVE, UPDATE nor $");
  }
  if (!a.in && state_ != State::kSelected) return bad(out, c.tag, "no mailbox selected");
  if (search_refused(a, c.tag, out)) return;
  CommandBudget budget(backend_, s_.command_budget, true);
  if (state_ == State::kSelected) updates(out, true);
  int64_t selected = mailbox_ ? mailbox_->id : 0;
  auto all = mailstore_->list_mailboxes();
  if (!all) return store_failure(out, c.tag, all.error(), "");
  auto subscribed = mailstore_->list_subscriptions();
  if (!subscribed) return store_failure(out, c.tag, subscribed.error(), "");
  std::vector<imap::SearchSource> sources =
      a.in ? *a.in : std::vector<imap::SearchSource>{imap::SearchSource{}};
  std::vector<store::Mailbox> boxes;
  for (const store::Mailbox& m : *all) {
    bool in = std::any_of(sources.begin(), sources.end(), [&](const SearchSource& s) {
      return in_source(s, m, selected, *subscribed);
    });
    if (!in) continue;
    // The index must be complete before it is asked (search_eval.h).
    if (search_needs_text(a.program)) {
      if (Status st = mailstore_->ensure_parsed(m.id); !st) {
        return store_failure(out, c.tag, st.error(), "");
      }
    }
    boxes.push_back(m);
  }
  auto program = SearchProgram::prepare(a.program, *mailstore_, true);
  if (!program) return store_failure(out, c.tag, program.error(), "");
  std::unique_ptr<SearchText> reader = mailstore_->search_text();
  std::vector<int64_t> none;
  for (const store::Mailbox& m : boxes) {
    std::vector<store::MessageRow> rows;
    std::vector<const store::MessageRow*> by_seq;
    if (m.id == selected) {
      auto r = selected_rows(rows);
      if (!r) return store_failure(out, c.tag, r.error(), "");
      by_seq = std::move(*r);
    } else {
      auto r = mailstore_->list_messages(m.id);
      if (!r) return store_failure(out, c.tag, r.error(), "");
      rows = std::move(*r);
      for (const auto& row : rows) by_seq.push_back(&row);
    }
    uint32_t max_uid = 0;
    for (const auto* row : by_seq) {
      if (row) max_uid = std::max(max_uid, static_cast<uint32_t>(row->uid));
    }
    SearchView view{none, static_cast<uint32_t>(by_seq.size()), max_uid};
    SearchRun run = run_search(*program, by_seq, view, *reader, budget);
    if (run.stopped) return over_budget(out, c.tag, budget, "esearch");
    if (run.matches.empty()) continue;  // no response for a mailbox without matches
    std::vector<uint32_t> uids;
    for (size_t i : run.matches) uids.push_back(static_cast<uint32_t>(by_seq[i]->uid));
    EsearchHead head{c.tag, true, std::nullopt, 0, utf8_};
    if (a.in) {
      head.mailbox = m.name;
      head.uidvalidity = static_cast<uint32_t>(m.uidvalidity);
    }
    std::vector<SearchReturn> ret = a.returns.value_or(std::vector<SearchReturn>{});
    out.reply += esearch_head(head) + esearch_items(uids, ret, a.partial, false);
    if (search_uses_modseq(a.program)) {
      condstore_ = true;
      out.reply += " MODSEQ " + std::to_string(run.max_modseq);
    }
    out.reply += "\r\n";
  }
  respond(out, c.tag, imap::Condition::kOk, "", "esearch done");
}

}  // namespace mox::imapserver
