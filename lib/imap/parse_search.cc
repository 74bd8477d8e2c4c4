// SEARCH arguments (RFC 9051 §6.4.4; NEW, OLD, RECENT from RFC 3501 §6.4.4;
// ESEARCH RFC 4731 §3.1; SEARCHRES RFC 5182 §2.1; MODSEQ RFC 7162 §3.1.5;
// OLDER/YOUNGER RFC 5032 §3; SAVEDBEFORE/ON/SINCE, SAVEDATESUPPORTED
// RFC 8514 §4.2; UPDATE RFC 5267 §4.1 and CANCELUPDATE §4.2; PARTIAL
// RFC 9394 §3.1; ESEARCH IN RFC 7377 §2).
#include <strings.h>

#include <algorithm>
#include <iterator>

#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

using Op = SearchKey::Op;

// Parenthesised lists, NOT and OR nest; deeper programs are refused so that
// the recursion stays bounded.
constexpr int kMaxDepth = 64;

enum class Arg {
  kNone,
  kText,
  kKeyword,
  kDate,
  kNumber64,
  kNzNumber,
  kHeader,
  kUid,
  kNot,
  kOr,
  kModSeq
};

struct KeyEntry {
  const char* name;
  Op op;
  Arg arg;
};

constexpr KeyEntry kKeys[] = {
    {"ALL", Op::kAll, Arg::kNone},
    {"ANSWERED", Op::kAnswered, Arg::kNone},
    {"DELETED", Op::kDeleted, Arg::kNone},
    {"DRAFT", Op::kDraft, Arg::kNone},
    {"FLAGGED", Op::kFlagged, Arg::kNone},
    {"SEEN", Op::kSeen, Arg::kNone},
    {"NEW", Op::kNew, Arg::kNone},
    {"OLD", Op::kOld, Arg::kNone},
    {"RECENT", Op::kRecent, Arg::kNone},
    {"UNANSWERED", Op::kUnanswered, Arg::kNone},
    {"UNDELETED", Op::kUndeleted, Arg::kNone},
    {"UNDRAFT", Op::kUndraft, Arg::kNone},
    {"UNFLAGGED", Op::kUnflagged, Arg::kNone},
    {"UNSEEN", Op::kUnseen, Arg::kNone},
    {"SAVEDATESUPPORTED", Op::kSaveDateSupported, Arg::kNone},
    {"KEYWORD", Op::kKeyword, Arg::kKeyword},
    {"UNKEYWORD", Op::kUnkeyword, Arg::kKeyword},
    {"BCC", Op::kBcc, Arg::kText},
    {"BODY", Op::kBody, Arg::kText},
    {"CC", Op::kCc, Arg::kText},
    {"FROM", Op::kFrom, Arg::kText},
    {"SUBJECT", Op::kSubject, Arg::kText},
    {"TEXT", Op::kText, Arg::kText},
    {"TO", Op::kTo, Arg::kText},
    {"HEADER", Op::kHeader, Arg::kHeader},
    {"BEFORE", Op::kBefore, Arg::kDate},
    {"ON", Op::kOn, Arg::kDate},
    {"SINCE", Op::kSince, Arg::kDate},
    {"SENTBEFORE", Op::kSentBefore, Arg::kDate},
    {"SENTON", Op::kSentOn, Arg::kDate},
    {"SENTSINCE", Op::kSentSince, Arg::kDate},
    {"SAVEDBEFORE", Op::kSavedBefore, Arg::kDate},
    {"SAVEDON", Op::kSavedOn, Arg::kDate},
    {"SAVEDSINCE", Op::kSavedSince, Arg::kDate},
    {"LARGER", Op::kLarger, Arg::kNumber64},
    {"SMALLER", Op::kSmaller, Arg::kNumber64},
    {"OLDER", Op::kOlder, Arg::kNzNumber},
    {"YOUNGER", Op::kYounger, Arg::kNzNumber},
    {"UID", Op::kUid, Arg::kUid},
    {"NOT", Op::kNot, Arg::kNot},
    {"OR", Op::kOr, Arg::kOr},
    {"MODSEQ", Op::kModSeq, Arg::kModSeq},
};

Result<SearchKey> search_key(Cursor& c, int depth);

// date = date-text / DQUOTE date-text DQUOTE (RFC 9051 §9).
Result<Date> date(Cursor& c) {
  std::string text;
  if (c.peek() == '"') {
    MOX_ASSIGN(text, c.quoted());
  } else {
    text = std::string(c.take_while(atom_char));
  }
  return parse_date(text);
}

// "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer;
// entry-name = DQUOTE "/flags/" attr-flag DQUOTE;
// entry-type-req = "priv" / "shared" / "all" (RFC 7162 §3.1.5, §7).
Status modseq(Cursor& c, SearchKey& k) {
  if (c.peek() == '"') {
    MOX_ASSIGN(k.field, c.quoted());
    if (k.field.size() <= 7 || strncasecmp(k.field.data(), "/flags/", 7) != 0) {
      return syntax_error("MODSEQ entry name must be \"/flags/<flag>\" (RFC 7162 §3.1.5)");
    }
    MOX_TRY(c.sp());
    if (c.take_word("priv")) {
      k.entry_type = SearchKey::EntryType::kPriv;
    } else if (c.take_word("shared")) {
      k.entry_type = SearchKey::EntryType::kShared;
    } else if (c.take_word("all")) {
      k.entry_type = SearchKey::EntryType::kAll;
    } else {
      return c.error("expected priv, shared or all");
    }
    MOX_TRY(c.sp());
  }
  MOX_ASSIGN(k.number, c.number64());
  return {};
}

Status key_argument(Cursor& c, SearchKey& k, Arg arg, int depth) {
  switch (arg) {
    case Arg::kNone:
      return {};
    case Arg::kText: {
      MOX_ASSIGN(k.value, c.astring());
      return {};
    }
    case Arg::kKeyword: {  // flag-keyword = atom (and the registered $ names)
      MOX_ASSIGN(k.value, c.atom());
      return {};
    }
    case Arg::kDate: {
      MOX_ASSIGN(k.date, date(c));
      return {};
    }
    case Arg::kNumber64: {
      MOX_ASSIGN(k.number, c.number64());
      return {};
    }
    case Arg::kNzNumber: {
      MOX_ASSIGN(uint32_t n, c.nz_number());
      k.number = n;
      return {};
    }
    case Arg::kHeader: {  // HEADER SP header-fld-name SP astring
      MOX_ASSIGN(k.field, c.astring());
      MOX_TRY(c.sp());
      MOX_ASSIGN(k.value, c.astring());
      return {};
    }
    case Arg::kUid: {
      MOX_ASSIGN(k.set, c.sequence_set());
      return {};
    }
    case Arg::kNot: {
      MOX_ASSIGN(SearchKey child, search_key(c, depth + 1));
      k.children.push_back(std::move(child));
      return {};
    }
    case Arg::kOr: {
      MOX_ASSIGN(SearchKey a, search_key(c, depth + 1));
      MOX_TRY(c.sp());
      MOX_ASSIGN(SearchKey b, search_key(c, depth + 1));
      k.children.push_back(std::move(a));
      k.children.push_back(std::move(b));
      return {};
    }
    case Arg::kModSeq:
      return modseq(c, k);
  }
  return {};
}

// search-key, including sequence-set and "(" search-key *(SP search-key) ")".
Result<SearchKey> search_key(Cursor& c, int depth) {
  if (depth > kMaxDepth) return c.error("search program nested too deeply");
  SearchKey k;
  char first = c.peek();
  if (c.take('(')) {
    k.op = Op::kAnd;
    do {
      MOX_ASSIGN(SearchKey child, search_key(c, depth + 1));
      k.children.push_back(std::move(child));
    } while (c.take(' '));
    MOX_TRY(c.expect(')'));
    return k;
  }
  if ((first >= '0' && first <= '9') || first == '*' || first == '$') {
    k.op = Op::kSeqSet;
    MOX_ASSIGN(k.set, c.sequence_set());
    return k;
  }
  std::string name = upper(c.take_while(atom_char));
  for (const KeyEntry& e : kKeys) {
    if (name != e.name) continue;
    k.op = e.op;
    if (e.arg != Arg::kNone) MOX_TRY(c.sp());
    MOX_TRY(key_argument(c, k, e.arg, depth));
    return k;
  }
  if (name.empty()) return c.error("expected a search key");
  return syntax_error("unknown search key " + name);
}

// partial-range = partial-range-first / partial-range-last;
// partial-range-first = nz-number ":" nz-number;
// partial-range-last = MINUS nz-number ":" MINUS nz-number (RFC 9394 §3.1).
Result<PartialRange> partial_range(Cursor& c) {
  bool negative = c.take('-');
  MOX_ASSIGN(uint32_t a, c.nz_number());
  MOX_TRY(c.expect(':'));
  if (negative != c.take('-')) return c.error("PARTIAL range ends must have the same sign");
  MOX_ASSIGN(uint32_t b, c.nz_number());
  if (a > b) std::swap(a, b);
  int64_t sign = negative ? -1 : 1;
  return PartialRange{sign * a, sign * b};
}

// mailbox / "(" mailbox *(SP mailbox) ")" (RFC 5465 §8 one-or-more-mailbox).
Status source_mailboxes(Cursor& c, const ParseOptions& o, SearchSource& s) {
  MOX_TRY(c.sp());
  bool many = c.take('(');
  do {
    MOX_ASSIGN(std::string m, mailbox(c, o));
    s.mailboxes.push_back(std::move(m));
  } while (many && c.take(' '));
  if (many) MOX_TRY(c.expect(')'));
  return {};
}

// esearch-source-opts = "IN" SP "(" source-mbox *(SP source-mbox) ")"
// (RFC 7377 §6), the filters of RFC 5465 §8 and "subtree-one".
Status source_options(Cursor& c, const ParseOptions& o, SearchArgs& a) {
  using Kind = SearchSource::Kind;
  static constexpr struct {
    const char* name;
    Kind kind;
    bool names;  // followed by one or more mailboxes
  } kSources[] = {
      {"SELECTED-DELAYED", Kind::kSelectedDelayed, false},
      {"SELECTED", Kind::kSelected, false},
      {"INBOXES", Kind::kInboxes, false},
      {"PERSONAL", Kind::kPersonal, false},
      {"SUBSCRIBED", Kind::kSubscribed, false},
      {"SUBTREE-ONE", Kind::kSubtreeOne, true},
      {"SUBTREE", Kind::kSubtree, true},
      {"MAILBOXES", Kind::kMailboxes, true},
  };
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  a.in.emplace();
  do {
    const auto* e = std::find_if(std::begin(kSources), std::end(kSources),
                                 [&](const auto& k) { return c.take_word(k.name); });
    if (e == std::end(kSources)) return c.error("unknown ESEARCH source");
    SearchSource s{e->kind, {}};
    if (e->names) MOX_TRY(source_mailboxes(c, o, s));
    a.in->push_back(std::move(s));
  } while (c.take(' '));
  return c.expect(')');
}

// [SP "RETURN" search-return-opts] [SP "CHARSET" SP charset] SP
// search-key *(SP search-key), the cursor before the SP.
Status search_rest(Cursor& c, SearchArgs& a) {
  MOX_TRY(c.sp());
  if (c.take_word("RETURN")) {
    MOX_TRY(search_return_options(c, a.returns, a.partial));
    MOX_TRY(c.sp());
  }
  if (c.take_word("CHARSET")) {
    MOX_TRY(c.sp());
    MOX_ASSIGN(std::string charset, c.astring());  // charset = atom / quoted
    a.charset = upper(charset);
    MOX_TRY(c.sp());
  }
  return search_program(c, a);
}

}  // namespace

Status search_program(Cursor& c, SearchArgs& a) {
  a.program.op = Op::kAnd;
  do {
    MOX_ASSIGN(SearchKey k, search_key(c, 0));
    a.program.children.push_back(std::move(k));
  } while (c.take(' '));
  return {};
}

Status search_return_options(Cursor& c, std::optional<std::vector<SearchReturn>>& returns,
                             std::optional<PartialRange>& partial) {
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  returns.emplace();
  if (c.take(')')) return {};
  static constexpr struct {
    const char* name;
    SearchReturn r;
  } kReturns[] = {{"MIN", SearchReturn::kMin},        {"MAX", SearchReturn::kMax},
                  {"ALL", SearchReturn::kAll},        {"COUNT", SearchReturn::kCount},
                  {"SAVE", SearchReturn::kSave},      {"UPDATE", SearchReturn::kUpdate},
                  {"PARTIAL", SearchReturn::kPartial}};
  do {
    const auto* e = std::find_if(std::begin(kReturns), std::end(kReturns),
                                 [&](const auto& r) { return c.take_word(r.name); });
    if (e == std::end(kReturns)) return c.error("unknown SEARCH return option");
    if (e->r == SearchReturn::kPartial) {
      if (partial) return c.error("PARTIAL given twice");
      MOX_TRY(c.sp());
      MOX_ASSIGN(partial, partial_range(c));
    }
    returns->push_back(e->r);
  } while (c.take(' '));
  return c.expect(')');
}

// search = "SEARCH" [search-return-opts] SP search-program;
// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key).
Result<Args> parse_search(Cursor& c, const ParseOptions&, bool) {
  SearchArgs a;
  MOX_TRY(search_rest(c, a));
  return Args(std::move(a));
}

// esearch = "ESEARCH" [SP esearch-source-opts] [SP search-return-opts] SP
// search-program (RFC 7377 §6).
Result<Args> parse_esearch(Cursor& c, const ParseOptions& o, bool) {
  SearchArgs a;
  if (c.rest().size() > 3 && strncasecmp(c.rest().data(), " IN ", 4) == 0) {
    MOX_TRY(c.sp());
    (void)c.take_word("IN");
    MOX_TRY(source_options(c, o, a));
  }
  MOX_TRY(search_rest(c, a));
  return Args(std::move(a));
}

// "CANCELUPDATE" 1*(SP quoted) (RFC 5267 §5); an atom is taken too.
Result<Args> parse_cancelupdate(Cursor& c, const ParseOptions&, bool) {
  CancelUpdateArgs a;
  do {
    MOX_TRY(c.sp());
    MOX_ASSIGN(std::string tag, c.astring());
    a.tags.push_back(std::move(tag));
  } while (!c.at_line_end());
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
