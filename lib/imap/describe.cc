#include "imap/describe.h"

#include <cstdio>
#include <type_traits>

#include "imap/writer.h"

namespace mox::imap {
namespace {

// A quoted rendering; octets outside printable ASCII as \xNN.
std::string q(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& items, bool quote) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += quote ? q(items[i]) : items[i];
  }
  return out + "]";
}

std::string date(const Date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string date_time(const DateTime& t) {
  char buf[64];
  int z = t.zone_minutes < 0 ? -t.zone_minutes : t.zone_minutes;
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d%c%02d%02d", date(t.date).c_str(), t.hour,
                t.minute, t.second, t.zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

std::string status_items(const std::vector<StatusItem>& items) {
  std::string out = "(";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += status_item_name(items[i]);
  }
  return out + ")";
}

const char* key_name(SearchKey::Op op) {
  using Op = SearchKey::Op;
  switch (op) {
    case Op::kAnd:
      return "AND";
    case Op::kOr:
      return "OR";
    case Op::kNot:
      return "NOT";
    case Op::kSeqSet:
      return "SEQ";
    case Op::kAll:
      return "ALL";
    case Op::kAnswered:
      return "ANSWERED";
    case Op::kDeleted:
      return "DELETED";
    case Op::kDraft:
      return "DRAFT";
    case Op::kFlagged:
      return "FLAGGED";
    case Op::kSeen:
      return "SEEN";
    case Op::kNew:
      return "NEW";
    case Op::kOld:
      return "OLD";
    case Op::kRecent:
      return "RECENT";
    case Op::kUnanswered:
      return "UNANSWERED";
    case Op::kUndeleted:
      return "UNDELETED";
    case Op::kUndraft:
      return "UNDRAFT";
    case Op::kUnflagged:
      return "UNFLAGGED";
    case Op::kUnseen:
      return "UNSEEN";
    case Op::kKeyword:
      return "KEYWORD";
    case Op::kUnkeyword:
      return "UNKEYWORD";
    case Op::kBcc:
      return "BCC";
    case Op::kBody:
      return "BODY";
    case Op::kCc:
      return "CC";
    case Op::kFrom:
      return "FROM";
    case Op::kSubject:
      return "SUBJECT";
    case Op::kText:
      return "TEXT";
    case Op::kTo:
      return "TO";
    case Op::kHeader:
      return "HEADER";
    case Op::kBefore:
      return "BEFORE";
    case Op::kOn:
      return "ON";
    case Op::kSince:
      return "SINCE";
    case Op::kSentBefore:
      return "SENTBEFORE";
    case Op::kSentOn:
      return "SENTON";
    case Op::kSentSince:
      return "SENTSINCE";
    case Op::kSavedBefore:
      return "SAVEDBEFORE";
    case Op::kSavedOn:
      return "SAVEDON";
    case Op::kSavedSince:
      return "SAVEDSINCE";
    case Op::kSaveDateSupported:
      return "SAVEDATESUPPORTED";
    case Op::kLarger:
      return "LARGER";
    case Op::kSmaller:
      return "SMALLER";
    case Op::kOlder:
      return "OLDER";
    case Op::kYounger:
      return "YOUNGER";
    case Op::kUid:
      return "UID";
    case Op::kModSeq:
      return "MODSEQ";
  }
  return "?";
}

std::string children(const SearchKey& k) {
  std::string out;
  for (size_t i = 0; i < k.children.size(); ++i) {
    if (i > 0) out += ' ';
    out += describe(k.children[i]);
  }
  return out;
}

std::string fetch_att(const FetchAtt& a) {
  std::string name = fetch_item_name(a);
  if (a.peek) name.insert(name.find('['), ".PEEK");
  if (a.partial_offset) {
    name.pop_back();  // ">"
    name += "." + std::to_string(a.partial_count) + ">";
  }
  if (a.preview_lazy) name += " (LAZY)";
  return name;
}

struct Describer {
  std::string operator()(const NoArgs&) const { return ""; }
  std::string operator()(const AuthenticateArgs& a) const {
    return "mech=" + a.mechanism + (a.initial_response ? " ir=<redacted>" : "");
  }
  std::string operator()(const LoginArgs& a) const {
    return "user=" + q(a.username) + " password=<redacted>";
  }
  std::string operator()(const EnableArgs& a) const {
    return "caps=" + list(a.capabilities, false);
  }
  std::string operator()(const SelectArgs& a) const {
    std::string out = "mailbox=" + q(a.mailbox);
    if (a.condstore) out += " condstore";
    if (a.qresync) {
      const QresyncParams& r = *a.qresync;
      out += " qresync=(uidvalidity=" + std::to_string(r.uidvalidity) +
             " modseq=" + std::to_string(r.modseq);
      if (r.known_uids) out += " known_uids=" + r.known_uids->to_string();
      if (r.known_seqs) {
        out += " seqs=" + r.known_seqs->to_string() + " uids=" + r.known_seq_uids->to_string();
      }
      out += ")";
    }
    return out;
  }
  std::string operator()(const MailboxArgs& a) const { return "mailbox=" + q(a.mailbox); }
  std::string operator()(const CreateArgs& a) const {
    std::string out = "mailbox=" + q(a.mailbox);
    if (!a.special_use.empty()) out += " use=" + list(a.special_use, false);
    return out;
  }
  std::string operator()(const RenameArgs& a) const {
    return "from=" + q(a.from) + " to=" + q(a.to);
  }
  std::string operator()(const ListArgs& a) const {
    std::vector<std::string> sel, ret;
    if (a.select_subscribed) sel.push_back("SUBSCRIBED");
    if (a.select_remote) sel.push_back("REMOTE");
    if (a.select_recursive_match) sel.push_back("RECURSIVEMATCH");
    if (a.select_special_use) sel.push_back("SPECIAL-USE");
    if (a.return_subscribed) ret.push_back("SUBSCRIBED");
    if (a.return_children) ret.push_back("CHILDREN");
    if (a.return_special_use) ret.push_back("SPECIAL-USE");
    if (a.return_status) ret.push_back("STATUS" + status_items(*a.return_status));
    std::string out;
    if (!sel.empty()) out += "select=" + list(sel, false) + " ";
    out += "ref=" + q(a.reference) + " patterns=" + list(a.patterns, true);
    if (!ret.empty()) out += " return=" + list(ret, false);
    if (a.extended) out += " extended";
    return out;
  }
  std::string operator()(const LsubArgs& a) const {
    return "ref=" + q(a.reference) + " pattern=" + q(a.pattern) +
           (a.matches_nothing ? " matches-nothing" : "");
  }
  std::string operator()(const StatusArgs& a) const {
    return "mailbox=" + q(a.mailbox) + " items=" + status_items(a.items);
  }
  static std::string message(const AppendMessage& m) {
    std::string out = "(";
    if (!m.flags.empty()) out += "flags=" + list(m.flags, false) + " ";
    if (m.internal_date) out += "date=" + date_time(*m.internal_date) + " ";
    if (m.catenate) {
      out += "catenate=[";
      for (size_t i = 0; i < m.catenate->size(); ++i) {
        const CatenatePart& p = (*m.catenate)[i];
        out += (i ? " " : "") + std::string(p.url ? "url=" + q(p.text) : "text=" + q(p.text));
      }
      return out + "])";
    }
    out += "size=" + std::to_string(m.data.size());
    if (m.binary) out += " binary";
    if (m.utf8) out += " utf8";
    return out + ")";
  }
  std::string operator()(const AppendArgs& a) const {
    std::string out = "mailbox=" + q(a.mailbox) + " messages=[";
    for (size_t i = 0; i < a.messages.size(); ++i) out += (i ? " " : "") + message(a.messages[i]);
    return out + "]";
  }
  std::string operator()(const ReplaceArgs& a) const {
    return "number=" + std::to_string(a.number) + " mailbox=" + q(a.mailbox) +
           " message=" + message(a.message);
  }
  std::string operator()(const GetMetadataArgs& a) const {
    std::string out = "mailbox=" + q(a.mailbox);
    if (a.maxsize) out += " maxsize=" + std::to_string(*a.maxsize);
    out += " depth=" + std::string(a.depth < 0 ? "infinity" : std::to_string(a.depth));
    std::vector<std::string> e;
    for (const auto& x : a.entries) e.push_back(q(x));
    return out + " entries=" + list(e, false);
  }
  std::string operator()(const SetMetadataArgs& a) const {
    std::string out = "mailbox=" + q(a.mailbox) + " entries=[";
    for (size_t i = 0; i < a.entries.size(); ++i) {
      const auto& [k, v] = a.entries[i];
      out += (i ? " " : "") + q(k) + "=" + (v ? q(*v) : "NIL");
    }
    return out + "]";
  }
  std::string operator()(const SearchArgs& a) const {
    static const char* kReturn[] = {"MIN", "MAX", "ALL", "COUNT", "SAVE", "UPDATE", "PARTIAL"};
    static const char* kSource[] = {"selected",   "selected-delayed", "inboxes",     "personal",
                                    "subscribed", "subtree",          "subtree-one", "mailboxes"};
    std::string out;
    if (a.in) {
      std::vector<std::string> in;
      for (const SearchSource& x : *a.in) {
        in.push_back(kSource[static_cast<int>(x.kind)]);
        for (const auto& m : x.mailboxes) in.back() += " " + q(m);
      }
      out += "in=" + list(in, false) + " ";
    }
    if (a.returns) {
      std::vector<std::string> r;
      for (SearchReturn x : *a.returns) r.push_back(kReturn[static_cast<int>(x)]);
      out += "return=" + list(r, false) + " ";
    }
    if (a.partial) {
      out += "partial=" + std::to_string(a.partial->first) + ":" + std::to_string(a.partial->last) +
             " ";
    }
    if (a.charset) out += "charset=" + *a.charset + " ";
    return out + "keys=[" + children(a.program) + "]";
  }
  std::string operator()(const SortArgs& a) const {
    static const char* kKeys[] = {"ARRIVAL", "CC", "DATE",        "FROM",     "SIZE",
                                  "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"};
    std::vector<std::string> crit;
    for (const SortCriterion& c : a.criteria) {
      crit.push_back(std::string(c.reverse ? "REVERSE " : "") + kKeys[static_cast<int>(c.key)]);
    }
    return "criteria=" + list(crit, false) + " " + (*this)(a.search);
  }
  std::string operator()(const ThreadArgs& a) const {
    bool refs = a.algorithm == ThreadArgs::Algorithm::kReferences;
    return std::string("algorithm=") + (refs ? "REFERENCES " : "ORDEREDSUBJECT ") +
           (*this)(a.search);
  }
  std::string operator()(const FetchArgs& a) const {
    std::vector<std::string> atts;
    for (const FetchAtt& x : a.atts) atts.push_back(fetch_att(x));
    std::string out = "set=" + a.set.to_string() + " atts=" + list(atts, false);
    if (a.changed_since) out += " changedsince=" + std::to_string(*a.changed_since);
    if (a.vanished) out += " vanished";
    return out;
  }
  std::string operator()(const StoreArgs& a) const {
    std::string out = "set=" + a.set.to_string();
    if (a.unchanged_since) out += " unchangedsince=" + std::to_string(*a.unchanged_since);
    out += a.mode == StoreArgs::Mode::kAdd      ? " +FLAGS"
           : a.mode == StoreArgs::Mode::kRemove ? " -FLAGS"
                                                : " FLAGS";
    if (a.silent) out += ".SILENT";
    return out + " " + list(a.flags, false);
  }
  std::string operator()(const CopyArgs& a) const {
    return "set=" + a.set.to_string() + " mailbox=" + q(a.mailbox);
  }
  std::string operator()(const ExpungeArgs& a) const {
    return a.uids ? "uids=" + a.uids->to_string() : "";
  }
  std::string operator()(const QuotaRootArgs& a) const { return "root=" + q(a.root); }
  std::string operator()(const CancelUpdateArgs& a) const { return "tags=" + list(a.tags, true); }
  std::string operator()(const SetQuotaArgs& a) const {
    std::string out = "root=" + q(a.root) + " limits=[";
    for (size_t i = 0; i < a.limits.size(); ++i) {
      out += (i > 0 ? " " : "") + a.limits[i].first + " " + std::to_string(a.limits[i].second);
    }
    return out + "]";
  }
  std::string operator()(const IdArgs& a) const {
    if (a.nil) return "NIL";
    std::string out = "params=[";
    for (size_t i = 0; i < a.params.size(); ++i) {
      if (i > 0) out += ' ';
      out += "(" + q(a.params[i].first) + " " +
             (a.params[i].second ? q(*a.params[i].second) : "NIL") + ")";
    }
    return out + "]";
  }
  std::string operator()(const CompressArgs& a) const { return "mech=" + a.mechanism; }
  std::string operator()(const NotifyArgs& a) const {
    if (a.none) return "NONE";
    static const char* kFilters[] = {"selected",   "selected-delayed", "inboxes",  "personal",
                                     "subscribed", "subtree",          "mailboxes"};
    std::string out = a.status ? "status groups=[" : "groups=[";
    for (size_t i = 0; i < a.groups.size(); ++i) {
      const NotifyGroup& g = a.groups[i];
      out += (i > 0 ? " (" : "(") + std::string(kFilters[static_cast<int>(g.filter.kind)]);
      for (const auto& m : g.filter.mailboxes) out += " " + q(m);
      out += g.events.empty() ? " NONE" : "";
      for (const auto& e : g.events) {
        out += " " + e.name;
        for (const auto& f : e.fetch) out += " " + fetch_att(f);
      }
      out += ")";
    }
    return out + "]";
  }
};

}  // namespace

std::string describe(const SearchKey& k) {
  using Op = SearchKey::Op;
  std::string name = key_name(k.op);
  switch (k.op) {
    case Op::kAnd:
      return "(" + children(k) + ")";
    case Op::kOr:
    case Op::kNot:
      return name + "(" + children(k) + ")";
    case Op::kSeqSet:
    case Op::kUid:
      return name + " " + k.set.to_string();
    case Op::kKeyword:
    case Op::kUnkeyword:
      return name + " " + k.value;
    case Op::kBcc:
    case Op::kBody:
    case Op::kCc:
    case Op::kFrom:
    case Op::kSubject:
    case Op::kText:
    case Op::kTo:
      return name + " " + q(k.value);
    case Op::kHeader:
      return name + " " + q(k.field) + " " + q(k.value);
    case Op::kBefore:
    case Op::kOn:
    case Op::kSince:
    case Op::kSentBefore:
    case Op::kSentOn:
    case Op::kSentSince:
    case Op::kSavedBefore:
    case Op::kSavedOn:
    case Op::kSavedSince:
      return name + " " + date(k.date);
    case Op::kLarger:
    case Op::kSmaller:
    case Op::kOlder:
    case Op::kYounger:
      return name + " " + std::to_string(k.number);
    case Op::kModSeq: {
      static const char* kTypes[] = {"", "priv", "shared", "all"};
      std::string out = name;
      if (!k.field.empty()) {
        out += " " + q(k.field) + " " + kTypes[static_cast<int>(k.entry_type)];
      }
      return out + " " + std::to_string(k.number);
    }
    default:
      return name;
  }
}

std::string describe(const Command& cmd) {
  std::string out = cmd.tag + " " + command_name(cmd.verb, cmd.uid);
  std::string args = std::visit(Describer{}, cmd.args);
  if (!args.empty()) out += " " + args;
  if (!cmd.invalid_name.empty()) out += " invalid-name=" + q(cmd.invalid_name);
  return out;
}

}  // namespace mox::imap
