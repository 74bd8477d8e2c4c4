// SEARCH arguments (RFC 9051 §6.4.4; NEW, OLD, RECENT from RFC 3501 §6.4.4;
// ESEARCH RFC 4731 §3.1; SEARCHRES RFC 5182 §2.1; MODSEQ RFC 7162 §3.1.5;
// OLDER/YOUNGER RFC 5032 §3; SAVEDBEFORE/ON/SINCE, SAVEDATESUPPORTED
// RFC 8514 §4.2).
#include <strings.h>

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

}  // namespace

// search-return-opts = SP "RETURN" SP "(" [search-return-opt
// *(SP search-return-opt)] ")" (RFC 4731 §7, RFC 5182 §4).
Status search_return_options(Cursor& c, SearchArgs& a) {
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  a.returns.emplace();
  if (c.take(')')) return {};
  static constexpr struct {
    const char* name;
    SearchReturn r;
  } kReturns[] = {{"MIN", SearchReturn::kMin},
                  {"MAX", SearchReturn::kMax},
                  {"ALL", SearchReturn::kAll},
                  {"COUNT", SearchReturn::kCount},
                  {"SAVE", SearchReturn::kSave}};
  do {
    bool found = false;
    for (const auto& r : kReturns) {
      if (c.take_word(r.name)) {
        a.returns->push_back(r.r);
        found = true;
        break;
      }
    }
    if (!found) return c.error("unknown SEARCH return option");
  } while (c.take(' '));
  return c.expect(')');
}

Status search_program(Cursor& c, SearchArgs& a) {
  a.program.op = Op::kAnd;
  do {
    MOX_ASSIGN(SearchKey k, search_key(c, 0));
    a.program.children.push_back(std::move(k));
  } while (c.take(' '));
  return {};
}

// search = "SEARCH" [search-return-opts] SP search-program;
// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key).
Result<Args> parse_search(Cursor& c, const ParseOptions&, bool) {
  SearchArgs a;
  MOX_TRY(c.sp());
  if (c.take_word("RETURN")) {
    MOX_TRY(search_return_options(c, a));
    MOX_TRY(c.sp());
  }
  if (c.take_word("CHARSET")) {
    MOX_TRY(c.sp());
    MOX_ASSIGN(std::string charset, c.astring());  // charset = atom / quoted
    a.charset = upper(charset);
    MOX_TRY(c.sp());
  }
  MOX_TRY(search_program(c, a));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
