// SEARCH (RFC 9051 §6.4.4) by a linear scan, with ESEARCH (RFC 4731) and
// SEARCHRES (RFC 5182) results.
#include <algorithm>
#include <ctime>
#include <map>
#include <variant>

#include "imap/date.h"
#include "imapserver/session.h"
#include "message/date.h"
#include "message/header.h"
#include "message/mime.h"
#include "message/searchtext.h"
#include "util/fs.h"

namespace mox::imapserver {
namespace {

using K = imap::SearchKey::Op;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

struct Ctx {
  store::AccountStore& st;
  const std::vector<int64_t>& saved;
  uint32_t max_seq, max_uid;
};

// The message's text, loaded on first use.
struct Text {
  bool loaded = false;
  message::SearchText t;
};

int64_t day_of(int64_t unix_time) { return unix_time / 86400; }

bool header_has(const message::SearchText& t, std::string_view field, std::string_view needle) {
  std::string f = lower(field), n = lower(needle);
  for (const auto& h : t.headers) {
    if (lower(h.name) == f && (n.empty() || lower(h.value).find(n) != std::string::npos)) return true;
  }
  return false;
}

template <class M, class L>
bool eval(const imap::SearchKey& k, const M& m, uint32_t seq, const Ctx& c, L& load) {
  auto has = [&](int64_t bit) { return (m.flags.bits & bit) != 0; };
  switch (k.op) {
    case K::kAnd:
      for (const auto& ch : k.children) {
        if (!eval(ch, m, seq, c, load)) return false;
      }
      return true;
    case K::kOr: return eval(k.children[0], m, seq, c, load) || eval(k.children[1], m, seq, c, load);
    case K::kNot: return !eval(k.children[0], m, seq, c, load);
    case K::kAll: return true;
    case K::kSeqSet:
      if (k.set.search_result()) return std::count(c.saved.begin(), c.saved.end(), m.uid) > 0;
      return k.set.contains(seq, c.max_seq);
    case K::kUid:
      if (k.set.search_result()) return std::count(c.saved.begin(), c.saved.end(), m.uid) > 0;
      return k.set.contains(static_cast<uint32_t>(m.uid), c.max_uid);
    case K::kAnswered: return has(store::kFlagAnswered);
    case K::kDeleted: return has(store::kFlagDeleted);
    case K::kDraft: return has(store::kFlagDraft);
    case K::kFlagged: return has(store::kFlagFlagged);
    case K::kSeen: return has(store::kFlagSeen);
    case K::kUnanswered: return !has(store::kFlagAnswered);
    case K::kUndeleted: return !has(store::kFlagDeleted);
    case K::kUndraft: return !has(store::kFlagDraft);
    case K::kUnflagged: return !has(store::kFlagFlagged);
    case K::kUnseen: return !has(store::kFlagSeen);
    case K::kNew:
    case K::kRecent: return false;  // \Recent is not kept (IMAP4rev2 dropped it)
    case K::kOld: return true;
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
    case K::kLarger: return m.size > static_cast<int64_t>(k.number);
    case K::kSmaller: return m.size < static_cast<int64_t>(k.number);
    case K::kBefore: return day_of(m.received) < k.date.days_since_epoch();
    case K::kOn: return day_of(m.received) == k.date.days_since_epoch();
    case K::kSince: return day_of(m.received) >= k.date.days_since_epoch();
    case K::kSavedBefore: return day_of(m.savedate) < k.date.days_since_epoch();
    case K::kSavedOn: return day_of(m.savedate) == k.date.days_since_epoch();
    case K::kSavedSince: return day_of(m.savedate) >= k.date.days_since_epoch();
    case K::kSaveDateSupported: return true;
    case K::kOlder: return std::time(nullptr) - m.received >= static_cast<int64_t>(k.number);
    case K::kYounger: return std::time(nullptr) - m.received < static_cast<int64_t>(k.number);
    case K::kModSeq: return m.modseq >= static_cast<int64_t>(k.number);
    case K::kSentBefore:
    case K::kSentOn:
    case K::kSentSince: {
      // The Date header's date, disregarding time and zone (RFC 9051 §6.4.4);
      // without a usable Date header, the internal date.
      int64_t d = day_of(m.received), want = k.date.days_since_epoch();
      for (const auto& h : load().headers) {
        if (lower(h.name) != "date") continue;
        if (auto dd = message::date_header_days(h.value)) d = *dd;
        break;
      }
      return k.op == K::kSentBefore ? d < want : k.op == K::kSentOn ? d == want : d >= want;
    }
    case K::kBcc: return header_has(load(), "bcc", k.value);
    case K::kCc: return header_has(load(), "cc", k.value);
    case K::kFrom: return header_has(load(), "from", k.value);
    case K::kTo: return header_has(load(), "to", k.value);
    case K::kSubject: return header_has(load(), "subject", k.value);
    case K::kHeader: return header_has(load(), k.field, k.value);
    case K::kBody: return lower(load().body).find(lower(k.value)) != std::string::npos;
    case K::kText: {
      const auto& t = load();
      std::string n = lower(k.value);
      if (lower(t.body).find(n) != std::string::npos) return true;
      for (const auto& h : t.headers) {
        if (lower(h.value).find(n) != std::string::npos) return true;
      }
      return false;
    }
  }
  return false;
}

bool uses_modseq(const imap::SearchKey& k) {
  if (k.op == K::kModSeq) return true;
  return std::any_of(k.children.begin(), k.children.end(), uses_modseq);
}

}  // namespace

void Session::cmd_search(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SearchArgs>(c.args);
  if (a.charset && *a.charset != "UTF-8" && *a.charset != "US-ASCII") {
    return respond(out, c.tag, imap::Condition::kNo, "BADCHARSET (UTF-8 US-ASCII)", "unsupported charset");
  }
  updates(out, c.uid);
  auto rows = store::list_messages(*store_, mailbox_->id);
  if (!rows) return respond(out, c.tag, imap::Condition::kNo, "SERVERBUG", "cannot search");
  std::map<int64_t, const store::MessageRow*> by_uid;
  for (const auto& r : *rows) by_uid[r.uid] = &r;
  Ctx ctx{*store_, saved_, static_cast<uint32_t>(msgs_.size()),
          msgs_.empty() ? 0u : static_cast<uint32_t>(msgs_.back().uid)};
  std::vector<uint32_t> hits;
  std::vector<int64_t> hit_uids;
  int64_t max_modseq = 0;
  for (size_t i = 0; i < msgs_.size(); ++i) {
    auto it = by_uid.find(msgs_[i].uid);
    if (it == by_uid.end()) continue;
    const store::MessageRow& m = *it->second;
    Text text;
    auto load = [&]() -> const message::SearchText& {
      if (!text.loaded) {
        auto d = read_file(store::message_path(*store_, m.id));
        if (d) text.t = message::extract_search_text(*d, message::parse_message(*d));
        text.loaded = true;
      }
      return text.t;
    };
    if (!eval(a.program, m, static_cast<uint32_t>(i + 1), ctx, load)) continue;
    hits.push_back(c.uid ? static_cast<uint32_t>(m.uid) : static_cast<uint32_t>(i + 1));
    hit_uids.push_back(m.uid);
    max_modseq = std::max(max_modseq, m.modseq);
  }
  bool modseq = uses_modseq(a.program) && !hits.empty();
  if (modseq) condstore_ = true;
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
    if (modseq) r += " MODSEQ " + std::to_string(max_modseq);
    out.reply += r + "\r\n";
  }
  respond(out, c.tag, imap::Condition::kOk, "", "search done");
}

}  // namespace mox::imapserver
