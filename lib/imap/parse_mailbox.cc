// Arguments of the mailbox commands: SELECT, EXAMINE, CREATE, DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, APPEND (RFC 9051 §6.3).
#include <strings.h>

#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

Status plain_uid_set(const SequenceSet& s) {
  if (s.has_star() || s.search_result()) {
    return syntax_error("\"*\" and \"$\" are not allowed in QRESYNC sets (RFC 7162 §3.2.5)");
  }
  return {};
}

// seq-match-data = "(" known-sequence-set SP known-uid-set ")" (RFC 7162 §7).
Status seq_match_data(Cursor& c, QresyncParams& q) {
  MOX_TRY(c.expect('('));
  MOX_ASSIGN(SequenceSet seqs, c.sequence_set());
  MOX_TRY(plain_uid_set(seqs));
  MOX_TRY(c.sp());
  MOX_ASSIGN(SequenceSet uids, c.sequence_set());
  MOX_TRY(plain_uid_set(uids));
  MOX_TRY(c.expect(')'));
  q.known_seqs = std::move(seqs);
  q.known_seq_uids = std::move(uids);
  return {};
}

// QRESYNC SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
// [SP seq-match-data] ")" (RFC 7162 §3.2.5, §7). "*" has no meaning in these
// sets (RFC 7162 §7 known-uids), neither has "$".
Result<QresyncParams> qresync(Cursor& c) {
  QresyncParams q;
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  MOX_ASSIGN(q.uidvalidity, c.nz_number());
  MOX_TRY(c.sp());
  MOX_ASSIGN(q.modseq, c.number64());
  if (c.take(' ')) {
    if (c.peek() != '(') {
      MOX_ASSIGN(SequenceSet uids, c.sequence_set());
      MOX_TRY(plain_uid_set(uids));
      q.known_uids = std::move(uids);
      if (c.take(' ')) MOX_TRY(seq_match_data(c, q));
    } else {
      MOX_TRY(seq_match_data(c, q));
    }
  }
  MOX_TRY(c.expect(')'));
  return q;
}

// create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")" (RFC 6154 §6).
Status use_attrs(Cursor& c, std::vector<std::string>& out) {
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  if (c.take(')')) return {};
  while (true) {
    if (c.peek() != '\\') return c.error("expected a special-use attribute like \\Drafts");
    MOX_ASSIGN(std::string a, c.flag());
    out.push_back(std::move(a));
    if (c.take(')')) return {};
    MOX_TRY(c.sp());
  }
}

}  // namespace

// One append-message after its SP: [flag-list SP] [date-time SP] append-data
// (RFC 9051 §6.3.12, RFC 3502 §6); append-data = literal / literal8 /
// "UTF8" SP "(" literal8 ")" (RFC 3516 §4.4, RFC 6855 §4) /
// "CATENATE" SP "(" cat-part *(SP cat-part) ")" (RFC 4469 §5).
Result<AppendMessage> append_message(Cursor& c) {
  AppendMessage m;
  if (c.peek() == '(') {
    MOX_ASSIGN(m.flags, c.flag_list());
    MOX_TRY(c.sp());
  }
  if (c.peek() == '"') {
    MOX_ASSIGN(std::string text, c.quoted());
    MOX_ASSIGN(DateTime t, parse_date_time(text));
    m.internal_date = t;
    MOX_TRY(c.sp());
  }
  if (c.take_word("UTF8")) {
    MOX_TRY(c.sp());
    MOX_TRY(c.expect('('));
    if (c.rest().substr(0, 2) != "~{") return c.error("expected a literal8 ~{n} after UTF8 (");
    MOX_ASSIGN(m.data, c.literal(true, &m.binary));
    MOX_TRY(c.expect(')'));
    m.utf8 = true;
    return m;
  }
  if (c.take_word("CATENATE")) {
    MOX_TRY(c.sp());
    MOX_ASSIGN(m.catenate, catenate_parts(c));
    return m;
  }
  if (!c.at_string() || c.peek() == '"') return c.error("expected the message as a literal {n}");
  MOX_ASSIGN(m.data, c.literal(true, &m.binary));
  return m;
}

Result<std::string> mailbox(Cursor& c, const ParseOptions& o) {
  MOX_ASSIGN(std::string sent, c.astring());
  auto name = decode_mailbox(sent, o);
  if (name || name.error().kind != ErrorKind::kUser) return name;
  c.note_invalid_name(name.error().message);
  return sent;
}

Result<std::optional<std::string>> list_name(Cursor& c, const ParseOptions& o, bool pattern) {
  MOX_ASSIGN(std::string sent, pattern ? c.list_mailbox() : c.astring());
  auto name = decode_name(sent, o);
  if (name) return std::optional<std::string>(std::move(*name));
  if (name.error().kind == ErrorKind::kUser) return std::optional<std::string>();
  return std::move(name).error();
}

Result<StatusItem> status_item(Cursor& c) {
  static constexpr struct {
    const char* name;
    StatusItem item;
  } kItems[] = {
      {"MESSAGES", StatusItem::kMessages},       {"UIDNEXT", StatusItem::kUidNext},
      {"UIDVALIDITY", StatusItem::kUidValidity}, {"UNSEEN", StatusItem::kUnseen},
      {"DELETED", StatusItem::kDeleted},         {"SIZE", StatusItem::kSize},
      {"RECENT", StatusItem::kRecent},           {"HIGHESTMODSEQ", StatusItem::kHighestModSeq},
      {"APPENDLIMIT", StatusItem::kAppendLimit}, {"DELETED-STORAGE", StatusItem::kDeletedStorage},
  };
  for (const auto& i : kItems) {
    if (c.take_word(i.name)) return i.item;
  }
  return c.error("unknown STATUS item");
}

// select = "SELECT" SP mailbox [select-params]; select-params = SP "("
// select-param *(SP select-param) ")" (RFC 4466 §2.2); CONDSTORE (RFC 7162
// §3.1.8), QRESYNC (§3.2.5).
Result<Args> parse_select(Cursor& c, const ParseOptions& o, bool) {
  SelectArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  if (!c.take(' ')) return Args(std::move(a));
  MOX_TRY(c.expect('('));
  do {
    if (c.take_word("CONDSTORE")) {
      a.condstore = true;
    } else if (c.take_word("QRESYNC")) {
      if (a.qresync) return c.error("QRESYNC given twice");
      MOX_ASSIGN(QresyncParams q, qresync(c));
      a.qresync = std::move(q);
    } else {
      return c.error("unknown SELECT parameter");
    }
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

// create = "CREATE" SP mailbox [create-params] (RFC 4466 §2.1, RFC 6154 §3).
Result<Args> parse_create(Cursor& c, const ParseOptions& o, bool) {
  CreateArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  if (!c.take(' ')) return Args(std::move(a));
  MOX_TRY(c.expect('('));
  do {
    if (!c.take_word("USE")) return c.error("unknown CREATE parameter");
    MOX_TRY(use_attrs(c, a.special_use));
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

Result<Args> parse_mailbox_arg(Cursor& c, const ParseOptions& o, bool) {
  MailboxArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  return Args(std::move(a));
}

Result<Args> parse_rename(Cursor& c, const ParseOptions& o, bool) {
  RenameArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.from, mailbox(c, o));
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.to, mailbox(c, o));
  return Args(std::move(a));
}

// status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")".
Result<Args> parse_status(Cursor& c, const ParseOptions& o, bool) {
  StatusArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  do {
    MOX_ASSIGN(StatusItem i, status_item(c));
    a.items.push_back(i);
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

// append = "APPEND" SP mailbox 1*append-message; each message starts with SP
// (RFC 3502 §6 MULTIAPPEND).
Result<Args> parse_append(Cursor& c, const ParseOptions& o, bool) {
  AppendArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  do {
    MOX_TRY(c.sp());
    MOX_ASSIGN(AppendMessage m, append_message(c));
    a.messages.push_back(std::move(m));
  } while (!c.at_end());
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
