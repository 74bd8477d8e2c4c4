// SEARCH programs evaluated against message rows (imapserver/search_eval.h).
// For a needle of 3 or more characters the trigram index names the few
// messages that may hold it and only their text is read; a shorter needle,
// which trigrams cannot find, means reading the text of every message.
#include "imapserver/search_eval.h"

#include <algorithm>
#include <ctime>

#include "imapserver/session.h"
#include "message/date.h"
#include "message/searchtext.h"

namespace mox::imapserver {
namespace {

using K = imap::SearchKey::Op;
using TextKeys = std::map<const imap::SearchKey*, SearchProgram::TextKey>;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// A message's stored search text, read on first use.
class Text {
 public:
  Text(SearchText& r, int64_t id) : r_(r), id_(id) {}
  const std::string& header_lines() {
    if (!headers_) {
      auto h = r_.headers(id_);
      headers_ = h ? std::move(*h) : std::string();
    }
    return *headers_;
  }
  const std::vector<message::SearchField>& fields() {
    if (!fields_) fields_ = message::parse_header_lines(header_lines());
    return *fields_;
  }
  const std::string& body() {
    if (!body_) {
      auto b = r_.body(id_);
      body_ = b ? std::move(*b) : std::string();
    }
    return *body_;
  }

 private:
  SearchText& r_;
  int64_t id_;
  std::optional<std::string> headers_, body_;
  std::optional<std::vector<message::SearchField>> fields_;
};

// One evaluation's borrowed state.
struct Eval {
  const TextKeys& text;
  const SearchView& view;
};

int64_t day_of(int64_t unix_time) { return unix_time / 86400; }

bool is_text_key(K op) {
  return op == K::kBcc || op == K::kCc || op == K::kFrom || op == K::kTo || op == K::kSubject ||
         op == K::kHeader || op == K::kBody || op == K::kText;
}

bool key_needs_text(const imap::SearchKey& k) {
  if (is_text_key(k.op) || k.op == K::kSentBefore || k.op == K::kSentOn || k.op == K::kSentSince) {
    return true;
  }
  return std::any_of(k.children.begin(), k.children.end(), key_needs_text);
}

std::string field_of(const imap::SearchKey& k) {
  switch (k.op) {
    case K::kBcc:
      return "bcc";
    case K::kCc:
      return "cc";
    case K::kFrom:
      return "from";
    case K::kTo:
      return "to";
    case K::kSubject:
      return "subject";
    case K::kHeader:
      return lower(k.field);
    default:
      return "";
  }
}

// Fills `text` for every text key of the program, asking the index where
// the needle allows and `use_index` says.
Status plan_text_keys(const imap::SearchKey& k, Mailstore& st, bool use_index, TextKeys& text) {
  for (const auto& ch : k.children) MOX_TRY(plan_text_keys(ch, st, use_index, text));
  if (!is_text_key(k.op)) return {};
  SearchProgram::TextKey t{field_of(k), message::fold_case(k.value), std::nullopt};
  if (use_index && message::code_points(k.value) >= store::kMinIndexedNeedle) {
    auto hits = st.text_search(k.value);
    if (!hits) return std::move(hits).error();
    t.candidates.emplace(std::move(*hits));
  }
  text.emplace(&k, std::move(t));
  return {};
}

bool text_match(const imap::SearchKey& k, int64_t id, const Eval& c, Text& text) {
  const SearchProgram::TextKey& t = c.text.at(&k);
  if (t.candidates && !std::binary_search(t.candidates->begin(), t.candidates->end(), id)) {
    return false;
  }
  if (k.op == K::kBody) return message::contains_folded(text.body(), t.folded);
  if (k.op == K::kText) {
    return message::contains_folded(text.header_lines(), t.folded) ||
           message::contains_folded(text.body(), t.folded);
  }
  for (const auto& f : text.fields()) {
    if (f.name == t.field && message::contains_folded(f.value, t.folded)) return true;
  }
  return false;
}

bool eval(const imap::SearchKey& k, const store::MessageRow& m, uint32_t seq, const Eval& c,
          Text& text) {
  auto has = [&](int64_t bit) { return (m.flags.bits & bit) != 0; };
  switch (k.op) {
    case K::kAnd:
      for (const auto& ch : k.children) {
        if (!eval(ch, m, seq, c, text)) return false;
      }
      return true;
    case K::kOr:
      return eval(k.children[0], m, seq, c, text) || eval(k.children[1], m, seq, c, text);
    case K::kNot:
      return !eval(k.children[0], m, seq, c, text);
    case K::kAll:
      return true;
    case K::kSeqSet:
      if (k.set.search_result())
        return std::count(c.view.saved.begin(), c.view.saved.end(), m.uid) > 0;
      return k.set.contains(seq, c.view.max_seq);
    case K::kUid:
      if (k.set.search_result())
        return std::count(c.view.saved.begin(), c.view.saved.end(), m.uid) > 0;
      return k.set.contains(static_cast<uint32_t>(m.uid), c.view.max_uid);
    case K::kAnswered:
      return has(store::kFlagAnswered);
    case K::kDeleted:
      return has(store::kFlagDeleted);
    case K::kDraft:
      return has(store::kFlagDraft);
    case K::kFlagged:
      return has(store::kFlagFlagged);
    case K::kSeen:
      return has(store::kFlagSeen);
    case K::kUnanswered:
      return !has(store::kFlagAnswered);
    case K::kUndeleted:
      return !has(store::kFlagDeleted);
    case K::kUndraft:
      return !has(store::kFlagDraft);
    case K::kUnflagged:
      return !has(store::kFlagFlagged);
    case K::kUnseen:
      return !has(store::kFlagSeen);
    // \Recent of IMAP4rev1 (imapserver/recent.cc); NEW is RECENT UNSEEN.
    case K::kNew:
    case K::kRecent:
    case K::kOld: {
      const std::vector<int64_t>* r = c.view.recent;
      bool recent = r && std::binary_search(r->begin(), r->end(), m.uid);
      if (k.op == K::kOld) return !recent;
      return recent && (k.op == K::kRecent || !has(store::kFlagSeen));
    }
    case K::kKeyword:
    case K::kUnkeyword: {
      auto f = store::parse_flags({k.value});
      bool set = false;
      if (f) {
        set = (f->bits && (m.flags.bits & f->bits) == f->bits) ||
              (!f->keywords.empty() &&
               std::count(m.flags.keywords.begin(), m.flags.keywords.end(), f->keywords[0]) > 0);
      }
      return k.op == K::kKeyword ? set : !set;
    }
    case K::kLarger:
      return m.size > static_cast<int64_t>(k.number);
    case K::kSmaller:
      return m.size < static_cast<int64_t>(k.number);
    case K::kBefore:
      return day_of(m.received) < k.date.days_since_epoch();
    case K::kOn:
      return day_of(m.received) == k.date.days_since_epoch();
    case K::kSince:
      return day_of(m.received) >= k.date.days_since_epoch();
    case K::kSavedBefore:
      return day_of(m.savedate) < k.date.days_since_epoch();
    case K::kSavedOn:
      return day_of(m.savedate) == k.date.days_since_epoch();
    case K::kSavedSince:
      return day_of(m.savedate) >= k.date.days_since_epoch();
    case K::kSaveDateSupported:
      return true;
    case K::kOlder:
      return std::time(nullptr) - m.received >= static_cast<int64_t>(k.number);
    case K::kYounger:
      return std::time(nullptr) - m.received < static_cast<int64_t>(k.number);
    case K::kModSeq:
      return m.modseq >= static_cast<int64_t>(k.number);
    case K::kSentBefore:
    case K::kSentOn:
    case K::kSentSince: {
      // The Date header's date, disregarding time and zone (RFC 9051 §6.4.4);
      // without a usable Date header, the internal date.
      int64_t d = day_of(m.received), want = k.date.days_since_epoch();
      for (const auto& h : text.fields()) {
        if (h.name != "date") continue;
        if (auto dd = message::date_header_days(h.value)) d = *dd;
        break;
      }
      return k.op == K::kSentBefore ? d < want : k.op == K::kSentOn ? d == want : d >= want;
    }
    case K::kBcc:
    case K::kCc:
    case K::kFrom:
    case K::kTo:
    case K::kSubject:
    case K::kHeader:
    case K::kBody:
    case K::kText:
      return text_match(k, m.id, c, text);
  }
  return false;
}

}  // namespace

Result<SearchProgram> SearchProgram::prepare(const imap::SearchKey& program, Mailstore& st,
                                             bool use_index) {
  SearchProgram p(program);
  p.needs_text_ = key_needs_text(program);
  if (p.needs_text_) MOX_TRY(plan_text_keys(program, st, use_index, p.text_));
  return p;
}

bool SearchProgram::matches(const store::MessageRow& m, uint32_t seq, const SearchView& v,
                            SearchText& reader) const {
  Text text(reader, m.id);
  return eval(*program_, m, seq, Eval{text_, v}, text);
}

SearchRun run_search(const SearchProgram& p, const std::vector<const store::MessageRow*>& rows,
                     const SearchView& v, SearchText& text, CommandBudget& budget) {
  SearchRun r;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] == nullptr) continue;
    if (!budget.step()) {
      r.stopped = true;
      break;
    }
    if (!p.matches(*rows[i], static_cast<uint32_t>(i + 1), v, text)) continue;
    r.matches.push_back(i);
    r.max_modseq = std::max(r.max_modseq, rows[i]->modseq);
  }
  return r;
}

bool search_needs_text(const imap::SearchKey& k) { return key_needs_text(k); }

size_t count_search_keys(const imap::SearchKey& k) {
  size_t n = 1;
  for (const auto& ch : k.children) n += count_search_keys(ch);
  return n;
}

bool search_uses_modseq(const imap::SearchKey& k) {
  if (k.op == K::kModSeq) return true;
  return std::any_of(k.children.begin(), k.children.end(), search_uses_modseq);
}

bool search_updatable(const imap::SearchKey& k) {
  if (k.op == K::kSeqSet || k.op == K::kOlder || k.op == K::kYounger) return false;
  if (k.op == K::kUid && k.set.search_result()) return false;
  return std::all_of(k.children.begin(), k.children.end(), search_updatable);
}

}  // namespace mox::imapserver
