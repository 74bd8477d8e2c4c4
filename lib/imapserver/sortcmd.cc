// SORT (RFC 5256 §3, SORT=DISPLAY RFC 5957, ESORT RFC 5267 §3) and THREAD
// (RFC 5256 §4), also as UID SORT and UID THREAD. The messages are those
// SEARCH would find (search.cc, the same program and charset rules); their
// keys come from the rows (store/sortkeys.h), never from the message files,
// and the ordering and threading are sort.cc and thread.cc.
#include <iterator>
#include <unordered_map>
#include <variant>

#include "imapserver/session.h"
#include "imapserver/sort.h"
#include "imapserver/thread.h"

namespace mox::imapserver {

namespace {

// The keys of the selected mailbox's messages by UID.
using KeysByUid = std::unordered_map<int64_t, const message::SortKeys*>;

KeysByUid by_uid(const std::vector<store::SortRow>& rows) {
  KeysByUid m;
  m.reserve(rows.size());
  for (const auto& r : rows) m.emplace(r.uid, &r.keys);
  return m;
}

// A message of the session's view that another process has expunged
// meanwhile has no row any more: empty keys then.
const message::SortKeys* keys_of(const KeysByUid& m, int64_t uid) {
  static const message::SortKeys kEmpty;
  auto it = m.find(uid);
  return it == m.end() ? &kEmpty : it->second;
}

// The keys SORT by `criteria` reads (store::SortField bits), per
// imap::SortCriterion::Key in its order: ARRIVAL and SIZE are in msgs_.
constexpr unsigned kFieldOfKey[] = {0,
                                    store::kSortCc,
                                    store::kSortSent,
                                    store::kSortFrom,
                                    0,
                                    store::kSortSubject,
                                    store::kSortTo,
                                    store::kSortDisplayFrom,
                                    store::kSortDisplayTo};
static_assert(std::size(kFieldOfKey) ==
              static_cast<size_t>(imap::SortCriterion::Key::kDisplayTo) + 1);

unsigned fields_of(const std::vector<imap::SortCriterion>& criteria) {
  unsigned f = 0;
  for (const auto& c : criteria) f |= kFieldOfKey[static_cast<size_t>(c.key)];
  return f;
}

}  // namespace

std::optional<Session::SortInput> Session::sort_input(const imap::Command& c,
                                                      const imap::SearchArgs& search,
                                                      unsigned fields, Output& out) {
  SortInput in;
  std::optional<SearchHits> found = search_messages(c, search, out);
  if (!found) return std::nullopt;
  in.hits = std::move(*found);
  auto rows = mailstore_->sort_keys(mailbox_->id, fields);
  if (!rows) {
    store_failure(out, c.tag, rows.error(), "");
    return std::nullopt;
  }
  in.rows = std::move(*rows);
  KeysByUid keys = by_uid(in.rows);
  in.items.reserve(in.hits.index.size());
  for (size_t i : in.hits.index) {
    const Msg& m = msgs_[i];
    auto seq = static_cast<uint32_t>(i + 1);
    in.items.push_back({seq, c.uid ? static_cast<uint32_t>(m.uid) : seq, m.received, m.size,
                        keys_of(keys, m.uid)});
  }
  return in;
}

void Session::cmd_sort(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SortArgs>(c.args);
  std::optional<SortInput> in = sort_input(c, a.search, fields_of(a.criteria), out);
  if (!in) return;
  std::vector<SortItem>& items = in->items;
  sort_items(items, a.criteria);
  std::vector<uint32_t> numbers;
  numbers.reserve(items.size());
  for (const SortItem& s : items) numbers.push_back(s.number);
  if (a.search.returns) {
    std::vector<int64_t> uids;
    for (const SortItem& s : items) uids.push_back(msgs_[s.seq - 1].uid);
    esearch_reply(c, a.search, numbers, uids, in->hits, true, out);
  } else {
    out.reply += "* SORT";
    for (uint32_t n : numbers) out.reply += " " + std::to_string(n);
    // RFC 7162 §3.1.5: with MODSEQ in the program, the highest mod-sequence.
    if (in->hits.modseq) out.reply += " (MODSEQ " + std::to_string(in->hits.max_modseq) + ")";
    out.reply += "\r\n";
  }
  respond(out, c.tag, imap::Condition::kOk, "", "sort done");
}

void Session::cmd_thread(imap::Command& c, Output& out) {
  auto& a = std::get<imap::ThreadArgs>(c.args);
  bool refs = a.algorithm == imap::ThreadArgs::Algorithm::kReferences;
  unsigned fields =
      store::kSortSent | store::kSortSubject | (refs ? unsigned{store::kSortThread} : 0u);
  std::optional<SortInput> in = sort_input(c, a.search, fields, out);
  if (!in) return;
  std::vector<ThreadItem> items;
  items.reserve(in->items.size());
  for (const SortItem& s : in->items) {
    items.push_back({s.seq, s.number, sent_date(*s.keys, s.received), s.keys});
  }
  std::string threads = refs ? thread_references(items) : thread_orderedsubject(items);
  out.reply += "* THREAD" + (threads.empty() ? "" : " " + threads) + "\r\n";
  respond(out, c.tag, imap::Condition::kOk, "", "thread done");
}

}  // namespace mox::imapserver
