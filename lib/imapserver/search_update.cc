// CONTEXT=SEARCH (RFC 5267 §4): SEARCH RETURN (UPDATE) results kept up to
// date with ADDTO and REMOVEFROM, CANCELUPDATE, NOUPDATE
// (imapserver/search_update.h).
#include "imapserver/search_update.h"

#include <algorithm>
#include <variant>

#include "imap/writer.h"
#include "imapserver/search_result.h"
#include "imapserver/session.h"

namespace mox::imapserver {

bool Session::search_keep(const imap::Command& c, const std::vector<int64_t>& uids) {
  const auto& a = std::get<imap::SearchArgs>(c.args);
  // A window of the result (RFC 9394) is not kept; neither is a program
  // whose result can change without a message changing (search_eval.h).
  if (a.partial || !search_updatable(a.program)) return false;
  if (!search_updates_) search_updates_ = std::make_unique<SearchUpdates>();
  auto& kept = search_updates_->kept;
  kept.remove_if([&](const SearchUpdate& u) { return u.tag == c.tag; });
  if (kept.size() >= SearchUpdates::kMax) return false;
  SearchUpdate u;
  u.tag = c.tag;
  u.uid = c.uid;
  u.key = std::make_unique<imap::SearchKey>(a.program);
  auto p = SearchProgram::prepare(*u.key, *mailstore_, false);
  if (!p) return false;
  u.program.emplace(std::move(*p));
  u.result.insert(uids.begin(), uids.end());
  kept.push_back(std::move(u));
  return true;
}

void Session::search_touched(const store::MessageRow& r) {
  if (search_updates_ && !search_updates_->kept.empty()) search_updates_->touched[r.uid] = r;
}

void Session::search_expunging(Output& out, size_t index) {
  if (!search_updates_) return;
  int64_t uid = msgs_[index].uid;
  search_updates_->touched.erase(uid);
  for (SearchUpdate& u : search_updates_->kept) {
    if (u.result.erase(uid) == 0) continue;
    uint32_t n = static_cast<uint32_t>(u.uid ? uid : static_cast<int64_t>(index + 1));
    out.reply += esearch_head({u.tag, u.uid, std::nullopt, 0, utf8_}) +
                 context_update_item(false, 0, std::to_string(n)) + "\r\n";
  }
}

void Session::search_flush(Output& out) {
  if (!search_updates_ || search_updates_->touched.empty() || !mailbox_) return;
  std::map<int64_t, store::MessageRow> touched = std::move(search_updates_->touched);
  search_updates_->touched.clear();
  auto& kept = search_updates_->kept;
  bool text = std::any_of(kept.begin(), kept.end(),
                          [](const SearchUpdate& u) { return u.program->needs_text(); });
  if (text && !mailstore_->ensure_parsed(mailbox_->id)) {
    // RFC 5267 §4.1: a result that can no longer be kept says so.
    for (const SearchUpdate& u : kept) {
      std::string code = "NOUPDATE ";
      imap::append_string(code, u.tag, false);
      out.reply += imap::status_line("*", imap::Condition::kNo, code, "search result not kept");
    }
    kept.clear();
    return;
  }
  std::unique_ptr<SearchText> reader = mailstore_->search_text();
  std::vector<int64_t> recent = recent_uids();
  SearchView view{saved_, static_cast<uint32_t>(msgs_.size()),
                  msgs_.empty() ? 0u : static_cast<uint32_t>(msgs_.back().uid), &recent};
  for (SearchUpdate& u : kept) {
    std::vector<uint32_t> added, removed;
    for (const auto& [uid, row] : touched) {
      size_t i = index_of_uid(uid);
      if (i == msgs_.size()) continue;  // not shown to the client (yet)
      bool in = u.result.count(uid) > 0;
      if (u.program->matches(row, static_cast<uint32_t>(i + 1), view, *reader) == in) continue;
      if (in) {
        u.result.erase(uid);
      } else {
        u.result.insert(uid);
      }
      (in ? removed : added).push_back(static_cast<uint32_t>(u.uid ? uid : int64_t(i + 1)));
    }
    std::string head = esearch_head({u.tag, u.uid, std::nullopt, 0, utf8_});
    if (!removed.empty()) {
      out.reply +=
          head + context_update_item(false, 0, imap::sequence_set_string(removed)) + "\r\n";
    }
    if (!added.empty()) {
      out.reply += head + context_update_item(true, 0, imap::sequence_set_string(added)) + "\r\n";
    }
  }
}

// CANCELUPDATE (RFC 5267 §4.2): every tag must name a kept result.
void Session::cmd_cancelupdate(imap::Command& c, Output& out) {
  const auto& a = std::get<imap::CancelUpdateArgs>(c.args);
  auto is = [](const std::string& tag) {
    return [&tag](const SearchUpdate& u) { return u.tag == tag; };
  };
  for (const std::string& tag : a.tags) {
    bool known = search_updates_ &&
                 std::any_of(search_updates_->kept.begin(), search_updates_->kept.end(), is(tag));
    if (!known) return bad(out, c.tag, "no search result kept for tag " + tag);
  }
  for (const std::string& tag : a.tags) {
    search_updates_->kept.remove_if(is(tag));
  }
  respond(out, c.tag, imap::Condition::kOk, "", "cancelupdate done");
}

}  // namespace mox::imapserver
