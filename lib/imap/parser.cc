#include "imap/parser.h"

#include <strings.h>

#include <cstring>

#include "imap/parse_internal.h"
#include "imap/utf7.h"
#include "util/encoding.h"
#include "util/utf8.h"

namespace mox::imap {
namespace {

using internal::ArgsParser;
using internal::Cursor;

Result<Args> parse_none(Cursor&, const ParseOptions&, bool) { return Args(NoArgs{}); }

// AUTHENTICATE SP auth-type [SP initial-resp]; initial-resp = base64 / "="
// (RFC 9051 §6.2.2, SASL-IR RFC 4959 §3).
Result<Args> parse_authenticate(Cursor& c, const ParseOptions&, bool) {
  AuthenticateArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(std::string mech, c.atom());
  a.mechanism = internal::upper(mech);
  if (c.take(' ')) {
    std::string_view ir = c.take_while([](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '+' || ch == '/' || ch == '=';
    });
    if (ir.empty()) return c.error("expected a base64 initial response");
    if (ir == "=") {
      a.initial_response = "";
    } else {
      Result<std::string> decoded = base64_decode(ir);
      if (!decoded) return syntax_error("invalid base64 in the initial response");
      a.initial_response = std::move(*decoded);
    }
  }
  return Args(std::move(a));
}

// LOGIN SP userid SP password (RFC 9051 §6.2.3).
Result<Args> parse_login(Cursor& c, const ParseOptions&, bool) {
  LoginArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.username, c.astring());
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.password, c.astring());
  return Args(std::move(a));
}

// ENABLE 1*(SP capability) (RFC 5161 §4, RFC 9051 §6.3.1).
Result<Args> parse_enable(Cursor& c, const ParseOptions&, bool) {
  EnableArgs a;
  do {
    MOX_TRY(c.sp());
    MOX_ASSIGN(std::string cap, c.atom());
    a.capabilities.push_back(internal::upper(cap));
  } while (!c.at_line_end());
  return Args(std::move(a));
}

// ID SP ("(" [string SP nstring *(SP string SP nstring)] ")" / NIL) (RFC 2971 §4).
Result<Args> parse_id(Cursor& c, const ParseOptions&, bool) {
  IdArgs a;
  MOX_TRY(c.sp());
  if (c.take_word("NIL")) {
    a.nil = true;
    return Args(std::move(a));
  }
  MOX_TRY(c.expect('('));
  if (c.take(')')) return Args(std::move(a));
  while (true) {
    MOX_ASSIGN(std::string key, c.string());
    MOX_TRY(c.sp());
    MOX_ASSIGN(std::optional<std::string> value, c.nstring());
    a.params.emplace_back(std::move(key), std::move(value));
    if (c.take(')')) return Args(std::move(a));
    MOX_TRY(c.sp());
  }
}

struct VerbEntry {
  const char* name;
  Verb verb;
  bool uid;  // also as UID <name> (RFC 9051 §6.4.9, RFC 4315 §2.1 for EXPUNGE)
  ArgsParser parse;
};

constexpr VerbEntry kVerbs[] = {
    {"CAPABILITY", Verb::kCapability, false, parse_none},
    {"NOOP", Verb::kNoop, false, parse_none},
    {"LOGOUT", Verb::kLogout, false, parse_none},
    {"STARTTLS", Verb::kStartTls, false, parse_none},
    {"AUTHENTICATE", Verb::kAuthenticate, false, parse_authenticate},
    {"LOGIN", Verb::kLogin, false, parse_login},
    {"ENABLE", Verb::kEnable, false, parse_enable},
    {"SELECT", Verb::kSelect, false, internal::parse_select},
    {"EXAMINE", Verb::kExamine, false, internal::parse_select},
    {"CREATE", Verb::kCreate, false, internal::parse_create},
    {"DELETE", Verb::kDelete, false, internal::parse_mailbox_arg},
    {"RENAME", Verb::kRename, false, internal::parse_rename},
    {"SUBSCRIBE", Verb::kSubscribe, false, internal::parse_mailbox_arg},
    {"UNSUBSCRIBE", Verb::kUnsubscribe, false, internal::parse_mailbox_arg},
    {"LIST", Verb::kList, false, internal::parse_list},
    {"LSUB", Verb::kLsub, false, internal::parse_lsub},
    {"NAMESPACE", Verb::kNamespace, false, parse_none},
    {"STATUS", Verb::kStatus, false, internal::parse_status},
    {"APPEND", Verb::kAppend, false, internal::parse_append},
    {"IDLE", Verb::kIdle, false, parse_none},
    {"CHECK", Verb::kCheck, false, parse_none},
    {"CLOSE", Verb::kClose, false, parse_none},
    {"UNSELECT", Verb::kUnselect, false, parse_none},
    {"EXPUNGE", Verb::kExpunge, true, internal::parse_expunge},
    {"SEARCH", Verb::kSearch, true, internal::parse_search},
    {"FETCH", Verb::kFetch, true, internal::parse_fetch},
    {"STORE", Verb::kStore, true, internal::parse_store},
    {"COPY", Verb::kCopy, true, internal::parse_copy},
    {"MOVE", Verb::kMove, true, internal::parse_copy},
    {"ID", Verb::kId, false, parse_id},
    {"GETQUOTA", Verb::kGetQuota, false, internal::parse_getquota},
    {"GETQUOTAROOT", Verb::kGetQuotaRoot, false, internal::parse_mailbox_arg},
    {"SETQUOTA", Verb::kSetQuota, false, internal::parse_setquota},
    {"ESEARCH", Verb::kEsearch, false, internal::parse_esearch},
    {"CANCELUPDATE", Verb::kCancelUpdate, false, internal::parse_cancelupdate},
    {"COMPRESS", Verb::kCompress, false, internal::parse_compress},
    {"NOTIFY", Verb::kNotify, false, internal::parse_notify},
    {"SORT", Verb::kSort, true, internal::parse_sort},
    {"THREAD", Verb::kThread, true, internal::parse_thread},
    {"REPLACE", Verb::kReplace, true, internal::parse_replace},
    {"GETMETADATA", Verb::kGetMetadata, false, internal::parse_getmetadata},
    {"SETMETADATA", Verb::kSetMetadata, false, internal::parse_setmetadata},
};

const VerbEntry* find_verb(std::string_view name) {
  for (const VerbEntry& e : kVerbs) {
    if (std::strlen(e.name) == name.size() && strncasecmp(e.name, name.data(), name.size()) == 0) {
      return &e;
    }
  }
  return nullptr;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 32)) {
    auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u >= 0x7f ? '?' : c;
  }
  return out;
}

}  // namespace

Result<Command> parse_command(RawCommand raw, const ParseOptions& options) {
  if (raw.lines.empty() || raw.lines.size() != raw.literals.size() + 1) {
    return syntax_error("malformed command");  // not made by the Reader
  }
  Cursor c(raw);
  Command cmd;
  // tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9).
  std::string_view tag =
      c.take_while([](char ch) { return internal::astring_char(ch) && ch != '+'; });
  if (tag.empty()) return c.error("missing or invalid tag (RFC 9051 §9 tag)");
  cmd.tag = std::string(tag);
  if (!c.take(' ')) return c.error("expected a space after the tag");
  std::string_view name = c.take_while(internal::atom_char);
  if (name.empty()) return c.error("expected a command name");
  if (name.size() == 3 && strncasecmp(name.data(), "UID", 3) == 0) {
    cmd.uid = true;
    if (!c.take(' ')) return c.error("expected a command after UID");
    name = c.take_while(internal::atom_char);
  }
  const VerbEntry* e = find_verb(name);
  if (e == nullptr || (cmd.uid && !e->uid)) {
    return syntax_error("unknown command " + std::string(cmd.uid ? "UID " : "") + printable(name));
  }
  cmd.verb = e->verb;
  MOX_ASSIGN(cmd.args, e->parse(c, options, cmd.uid));
  if (Status s = c.end(); !s) return std::move(s).error();
  cmd.invalid_name = c.invalid_name();
  return cmd;
}

Result<std::string> internal::decode_name(std::string_view sent, const ParseOptions& options) {
  bool eight_bit = false;
  for (char ch : sent) eight_bit = eight_bit || static_cast<unsigned char>(ch) >= 0x80;
  if (options.utf8 || eight_bit) {
    if (!valid_utf8(sent)) return syntax_error("mailbox name is not valid UTF-8");
    return std::string(sent);
  }
  auto name = utf7_decode(sent);
  if (!name) return user_error(name.error().message);
  return name;
}

Result<std::string> decode_mailbox(std::string_view sent, const ParseOptions& options) {
  MOX_ASSIGN(std::string name, internal::decode_name(sent, options));
  // RFC 9051 §5.1: "INBOX" is case-insensitive; as the first level too, as
  // the store does (store/mailbox.h).
  std::string_view first = std::string_view(name).substr(0, name.find('/'));
  if (first.size() == 5 && strncasecmp(first.data(), "INBOX", 5) == 0) name.replace(0, 5, "Inbox");
  return name;
}

std::string command_name(Verb verb, bool uid) {
  for (const VerbEntry& e : kVerbs) {
    if (e.verb == verb) return (uid ? "UID " : "") + std::string(e.name);
  }
  return "?";
}

const char* status_item_name(StatusItem item) {
  switch (item) {
    case StatusItem::kMessages:
      return "MESSAGES";
    case StatusItem::kUidNext:
      return "UIDNEXT";
    case StatusItem::kUidValidity:
      return "UIDVALIDITY";
    case StatusItem::kUnseen:
      return "UNSEEN";
    case StatusItem::kDeleted:
      return "DELETED";
    case StatusItem::kSize:
      return "SIZE";
    case StatusItem::kRecent:
      return "RECENT";
    case StatusItem::kHighestModSeq:
      return "HIGHESTMODSEQ";
    case StatusItem::kAppendLimit:
      return "APPENDLIMIT";
    case StatusItem::kDeletedStorage:
      return "DELETED-STORAGE";
  }
  return "?";
}

}  // namespace mox::imap
