// SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731) and SEARCHRES (RFC 5182)
// results. Flags, dates and sizes come from the message rows; text keys
// (BODY, TEXT, FROM, SUBJECT, HEADER...) from the decoded text stored at
// delivery (store/parsed.h), matched case-insensitively (message::fold_case).
// For a needle of 3 or more characters the trigram index names the few
// messages that may hold it and only their text is read; a shorter needle,
// which trigrams cannot find, means reading the text of every message.
#include <algorithm>
#include <ctime>
#include <map>
#include <variant>

#include "imap/date.h"
#include "imapserver/session.h"
#include "message/date.h"
#include "message/searchtext.h"

namespace mox::imapserver {
namespace {

using K = imap::SearchKey::Op;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// How one text key is answered.
struct TextKey {
  std::string field;   // lower-cased header field name, "" for BODY/TEXT
  std::string folded;  // message::fold_case of the needle
  // When the needle is long enough for the index: the IDs of the messages
  // that may contain it (store::text_search), ascending; only those are
  // checked against their text.
  std::optional<std::vector<int64_t>> candidates;
};

struct Ctx {
  Mailstore& st;
  const std::vector<int64_t>& saved;
  uint32_t max_seq, max_uid;
  std::map<const imap::SearchKey*, TextKey> text;
  std::vector<int64_t> recent;  // UIDs with \Recent in the session, ascending
};

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

int64_t day_of(int64_t unix_time) { return unix_time / 86400; }

bool is_text_key(K op) {
  return op == K::kBcc || op == K::kCc || op == K::kFrom || op == K::kTo || op == K::kSubject ||
         op == K::kHeader || op == K::kBody || op == K::kText;
}

bool needs_text(const imap::SearchKey& k) {
  if (is_text_key(k.op) || k.op == K::kSentBefore || k.op == K::kSentOn || k.op == K::kSentSince) {
    return true;
  }
  return std::any_of(k.children.begin(), k.children.end(), needs_text);
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

// Fills ctx.text for every text key of the program, asking the index where
// the needle allows.
Status plan_text_keys(const imap::SearchKey& k, Ctx& ctx) {
  for (const auto& ch : k.children) MOX_TRY(plan_text_keys(ch, ctx));
  if (!is_text_key(k.op)) return {};
  TextKey t{field_of(k), message::fold_case(k.value), std::nullopt};
  if (message::code_points(k.value) >= store::kMinIndexedNeedle) {
    auto hits = ctx.st.text_search(k.value);
    if (!hits) return std::move(hits).error();
    t.candidates.emplace(std::move(*hits));
  }
  ctx.text.emplace(&k, std::move(t));
  return {};
}

bool text_match(const imap::SearchKey& k, int64_t id, const Ctx& c, Text& text) {
  const TextKey& t = c.text.at(&k);
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

bool eval(const imap::SearchKey& k, const store::MessageRow& m, uint32_t seq, const Ctx& c,
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
      if (k.set.search_result()) return std::count(c.saved.begin(), c.saved.end(), m.uid) > 0;
      return k.set.contains(seq, c.max_seq);
    case K::kUid:
      if (k.set.search_result()) return std::count(c.saved.begin(), c.saved.end(), m.uid) > 0;
      return k.set.contains(static_cast<uint32_t>(m.uid), c.max_uid);
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
      bool recent = std::binary_search(c.recent.begin(), c.recent.end(), m.uid);
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

size_t count_keys(const imap::SearchKey& k) {
  size_t n = 1;
  for (const auto& ch : k.children) n += count_keys(ch);
  return n;
}

bool uses_modseq(const imap::SearchKey& k) {
  if (k.op == K::kModSeq) return true;
  return std::any_of(k.children.begin(), k.children.end(), uses_modseq);
}

}  // namespace

void Session::cmd_search(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SearchArgs>(c.args);
  if (a.charset && *a.charset != "UTF-8" && *a.charset != "US-ASCII") {
    return respond(out, c.tag, imap::Condition::kNo, "BADCHARSET (UTF-8 US-ASCII)",
                   "unsupported charset");
  }
  if (count_keys(a.program) > s_.max_search_keys) {
    return respond(out, c.tag, imap::Condition::kNo, "LIMIT", "too many search keys");
  }
  CommandBudget budget(backend_, s_.command_budget, true);
  updates(out, c.uid);
  auto rows = mailstore_->list_messages(mailbox_->id);
  if (!rows) return store_failure(out, c.tag, rows.error(), "");
  std::map<int64_t, const store::MessageRow*> by_uid;
  for (const auto& r : *rows) by_uid[r.uid] = &r;
  Ctx ctx{*mailstore_,
          saved_,
          static_cast<uint32_t>(msgs_.size()),
          msgs_.empty() ? 0u : static_cast<uint32_t>(msgs_.back().uid),
          {},
          {}};
  for (const Msg& m : msgs_) {
    if (m.recent) ctx.recent.push_back(m.uid);
  }
  if (needs_text(a.program)) {
    // Messages stored before the index existed are parsed now, once.
    Status st = mailstore_->ensure_parsed(mailbox_->id);
    if (st) st = plan_text_keys(a.program, ctx);
    if (!st) return store_failure(out, c.tag, st.error(), "");
  }
  std::unique_ptr<SearchText> reader = mailstore_->search_text();
  std::vector<uint32_t> hits;
  std::vector<int64_t> hit_uids;
  std::vector<int64_t> hit_modseqs;
  for (size_t i = 0; i < msgs_.size(); ++i) {
    auto it = by_uid.find(msgs_[i].uid);
    if (it == by_uid.end()) continue;
    const store::MessageRow& m = *it->second;
    if (!budget.step()) return over_budget(out, c.tag, budget, "search");
    Text text(*reader, m.id);
    if (!eval(a.program, m, static_cast<uint32_t>(i + 1), ctx, text)) continue;
    hits.push_back(c.uid ? static_cast<uint32_t>(m.uid) : static_cast<uint32_t>(i + 1));
    hit_uids.push_back(m.uid);
    hit_modseqs.push_back(m.modseq);
  }
  if (uses_modseq(a.program)) enable_condstore(out);
  bool modseq = uses_modseq(a.program) && !hits.empty();
  int64_t max_modseq =
      hit_modseqs.empty() ? 0 : *std::max_element(hit_modseqs.begin(), hit_modseqs.end());
  if (!a.returns) {
    out.reply += "* SEARCH";
    for (uint32_t n : hits) out.reply += " " + std::to_string(n);
    if (modseq) out.reply += " (MODSEQ " + std::to_string(max_modseq) + ")";
    out.reply += "\r\n";
    return respond(out, c.tag, imap::Condition::kOk, "", "search done");
  }
  auto want = [&](imap::SearchReturn r) {
    return std::find(a.returns->begin(), a.returns->end(), r) != a.returns->end();
  };
  bool all = a.returns->empty() || want(imap::SearchReturn::kAll);
  if (want(imap::SearchReturn::kSave)) saved_ = hit_uids;
  bool only_save = a.returns->size() == 1 && want(imap::SearchReturn::kSave);
  if (!only_save) {
    std::string r = "* ESEARCH (TAG \"" + c.tag + "\")" + (c.uid ? " UID" : "");
    if (!hits.empty()) {
      if (want(imap::SearchReturn::kMin)) r += " MIN " + std::to_string(hits.front());
      if (want(imap::SearchReturn::kMax)) r += " MAX " + std::to_string(hits.back());
      if (all) r += " ALL " + imap::SequenceSet::from_numbers(hits).to_string();
    }
    if (want(imap::SearchReturn::kCount)) r += " COUNT " + std::to_string(hits.size());
    if (modseq) {
      // RFC 7162 §3.1.5: the highest mod-sequence of the messages returned;
      // MIN and MAX alone return only those messages (RFC 4731 §3.1).
      int64_t ms = max_modseq;
      if (!all && !want(imap::SearchReturn::kCount)) {
        ms = 0;
        if (want(imap::SearchReturn::kMin)) ms = std::max(ms, hit_modseqs.front());
        if (want(imap::SearchReturn::kMax)) ms = std::max(ms, hit_modseqs.back());
        if (ms == 0) ms = max_modseq;
      }
      r += " MODSEQ " + std::to_string(ms);
    }
    out.reply += r + "\r\n";
  }
  respond(out, c.tag, imap::Condition::kOk, "", "search done");
}

}  // namespace mox::imapserver
