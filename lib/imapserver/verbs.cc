// The IMAP verb table (docs/DESIGN.md "Reading mail"): each command's handler
// and the connection states it is allowed in (RFC 9051 §3, §6). handle()
// refuses a command in any other state, so no handler checks the state it
// runs in; the commands that need no more than a line or two are here too.
#include <iterator>
#include <variant>

#include "imapserver/session.h"

namespace mox::imapserver {

using imap::Condition;
using imap::Verb;

namespace {

constexpr uint8_t kNotAuth = Session::bit(Session::State::kNotAuthenticated);
constexpr uint8_t kAuthed = Session::bit(Session::State::kAuthenticated);
constexpr uint8_t kSel = Session::bit(Session::State::kSelected);
constexpr uint8_t kLoggedIn = kAuthed | kSel;
constexpr uint8_t kAny = kNotAuth | kAuthed | kSel;

}  // namespace

// RFC 9051 §6.1 any state, §6.2 not authenticated, §6.3 authenticated (and
// selected), §6.4 selected; RFC 2971 ID, RFC 5161 ENABLE, RFC 2177 IDLE,
// RFC 9208 QUOTA, RFC 5256 SORT and THREAD. A refused command gets BAD, but LOGIN and AUTHENTICATE
// get NO (mox-imapd(8) "TLS client certificates": e.g. after PREAUTH). STARTTLS is allowed in any
// state here: its handler answers "tls already active" before it refuses a logged-in session, as
// mox does.
const Session::VerbEntry Session::kVerbs[] = {
    {Verb::kCapability, kAny, Condition::kBad, &Session::cmd_capability},
    {Verb::kNoop, kAny, Condition::kBad, &Session::cmd_noop},
    {Verb::kLogout, kAny, Condition::kBad, &Session::cmd_logout},
    {Verb::kId, kAny, Condition::kBad, &Session::cmd_id},
    {Verb::kStartTls, kAny, Condition::kBad, &Session::cmd_starttls},
    {Verb::kLogin, kNotAuth, Condition::kNo, &Session::cmd_login},
    {Verb::kAuthenticate, kNotAuth, Condition::kNo, &Session::cmd_authenticate},
    {Verb::kEnable, kLoggedIn, Condition::kBad, &Session::cmd_enable},
    {Verb::kSelect, kLoggedIn, Condition::kBad, &Session::cmd_select},
    {Verb::kExamine, kLoggedIn, Condition::kBad, &Session::cmd_select},
    {Verb::kCreate, kLoggedIn, Condition::kBad, &Session::cmd_create},
    {Verb::kDelete, kLoggedIn, Condition::kBad, &Session::cmd_delete},
    {Verb::kRename, kLoggedIn, Condition::kBad, &Session::cmd_rename},
    {Verb::kSubscribe, kLoggedIn, Condition::kBad, &Session::cmd_subscribe},
    {Verb::kUnsubscribe, kLoggedIn, Condition::kBad, &Session::cmd_subscribe},
    {Verb::kList, kLoggedIn, Condition::kBad, &Session::cmd_list},
    {Verb::kLsub, kLoggedIn, Condition::kBad, &Session::cmd_lsub},
    {Verb::kNamespace, kLoggedIn, Condition::kBad, &Session::cmd_namespace},
    {Verb::kStatus, kLoggedIn, Condition::kBad, &Session::cmd_status},
    {Verb::kAppend, kLoggedIn, Condition::kBad, &Session::cmd_append},
    {Verb::kIdle, kLoggedIn, Condition::kBad, &Session::cmd_idle},
    {Verb::kGetQuotaRoot, kLoggedIn, Condition::kBad, &Session::cmd_getquotaroot},
    {Verb::kGetQuota, kLoggedIn, Condition::kBad, &Session::cmd_getquota},
    {Verb::kSetQuota, kLoggedIn, Condition::kBad, &Session::cmd_setquota},
    {Verb::kEsearch, kLoggedIn, Condition::kBad, &Session::cmd_esearch},
    {Verb::kCancelUpdate, kSel, Condition::kBad, &Session::cmd_cancelupdate},
    {Verb::kCompress, kLoggedIn, Condition::kBad, &Session::cmd_compress},
    {Verb::kNotify, kLoggedIn, Condition::kBad, &Session::cmd_notify},
    {Verb::kCheck, kSel, Condition::kBad, &Session::cmd_noop},
    {Verb::kClose, kSel, Condition::kBad, &Session::cmd_close},
    {Verb::kUnselect, kSel, Condition::kBad, &Session::cmd_close},
    {Verb::kExpunge, kSel, Condition::kBad, &Session::cmd_expunge},
    {Verb::kSearch, kSel, Condition::kBad, &Session::cmd_search},
    {Verb::kFetch, kSel, Condition::kBad, &Session::cmd_fetch},
    {Verb::kStore, kSel, Condition::kBad, &Session::cmd_store},
    {Verb::kCopy, kSel, Condition::kBad, &Session::cmd_copy},
    {Verb::kMove, kSel, Condition::kBad, &Session::cmd_copy},
    {Verb::kSort, kSel, Condition::kBad, &Session::cmd_sort},
    {Verb::kThread, kSel, Condition::kBad, &Session::cmd_thread},
    {Verb::kReplace, kSel, Condition::kBad, &Session::cmd_replace},
    {Verb::kGetMetadata, kLoggedIn, Condition::kBad, &Session::cmd_getmetadata},
    {Verb::kSetMetadata, kLoggedIn, Condition::kBad, &Session::cmd_setmetadata},
};

const Session::VerbEntry* Session::verb_entry(Verb v) {
  // One entry per verb of imap/command.h (kSetMetadata is the last).
  static_assert(std::size(kVerbs) == static_cast<size_t>(Verb::kSetMetadata) + 1);
  for (const auto& e : kVerbs) {
    if (e.verb == v) return &e;
  }
  return nullptr;
}

void Session::refuse(Output& out, const std::string& tag, const VerbEntry& e) {
  bool needs_selected = e.states == kSel && state_ == State::kAuthenticated;
  std::string_view text =
      needs_selected ? "no mailbox selected" : "not allowed in this connection state";
  if (e.refused == Condition::kBad) return bad(out, tag, text);
  respond(out, tag, e.refused, "", text);
}

void Session::handle(imap::Command& c, Output& out) {
  if (c.verb != Verb::kId) flush_attempt();
  const VerbEntry* e = verb_entry(c.verb);
  if (e == nullptr) return bad(out, c.tag, "unknown command");
  // Before login only the state is checked; after it, first whether the
  // account may still be used.
  if (state_ == State::kNotAuthenticated && !(e->states & kNotAuth)) return refuse(out, c.tag, *e);
  if (!account_.empty()) {
    // An account removed or login-disabled meanwhile ends the session
    // (docs/DESIGN.md "Shared state between processes").
    std::string why = backend_.account_gone(account_);
    if (!why.empty()) {
      out.reply += "* BYE " + why + "\r\n";
      out.close = true;
      state_ = State::kLogout;
      return;
    }
  }
  if (!(e->states & bit(state_))) return refuse(out, c.tag, *e);
  if (!c.invalid_name.empty()) return invalid_name(c, out);
  if (uidonly_ && uses_sequence_numbers(c)) {
    return respond(out, c.tag, Condition::kBad, "UIDREQUIRED",
                   "message numbers not allowed with UIDONLY");
  }
  (this->*e->handler)(c, out);
}

void Session::cmd_capability(imap::Command& c, Output& out) {
  out.reply += "* CAPABILITY " + capabilities() + "\r\n";
  respond(out, c.tag, Condition::kOk, "", "capability done");
}

// NOOP and CHECK (RFC 9051 §6.1.2; CHECK is RFC 3501 §6.4.1).
void Session::cmd_noop(imap::Command& c, Output& out) {
  if (state_ == State::kSelected) updates(out, true);
  respond(out, c.tag, Condition::kOk, "", "noop done");
}

void Session::cmd_logout(imap::Command& c, Output& out) {
  out.reply += "* BYE thanks\r\n";
  respond(out, c.tag, Condition::kOk, "", "logout done");
  out.close = true;
  state_ = State::kLogout;
}

void Session::cmd_starttls(imap::Command& c, Output& out) {
  if (tls_.active) return bad(out, c.tag, "tls already active");
  if (!s_.tls_configured) return bad(out, c.tag, "no tls configured");
  if (state_ != State::kNotAuthenticated)
    return bad(out, c.tag, "not allowed in this connection state");
  respond(out, c.tag, Condition::kOk, "", "begin TLS now");
  out.start_tls = true;
}

// RFC 2971: the client's ID becomes the user agent of the login attempt.
void Session::cmd_id(imap::Command& c, Output& out) {
  auto& a = std::get<imap::IdArgs>(c.args);
  std::string ua;
  for (const auto& [k, v] : a.params)
    ua += (ua.empty() ? "" : " ") + k + "=\"" + v.value_or("NIL") + "\"";
  user_agent_ = ua;
  flush_attempt();
  out.reply += "* ID (\"name\" \"mox\")\r\n";
  respond(out, c.tag, Condition::kOk, "", "id done");
}

void Session::cmd_enable(imap::Command& c, Output& out) {
  std::string enabled;
  for (const auto& cap : std::get<imap::EnableArgs>(c.args).capabilities) {
    // RFC 5161 §3.1: what is not announced is not enabled, silently.
    if (capability_disabled(cap)) continue;
    if (cap == "QRESYNC" && !qresync_) {
      // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
      qresync_ = condstore_ = true;
      enabled += " QRESYNC";
    } else if (cap == "CONDSTORE" && !condstore_) {
      condstore_ = true;
      enabled += " CONDSTORE";
    } else if (cap == "UIDONLY" && !uidonly_) {
      uidonly_ = true;  // RFC 9586 §3.1
      enabled += " UIDONLY";
    } else if ((cap == "UTF8=ACCEPT" || cap == "IMAP4REV2") && !utf8_) {
      utf8_ = true;
      rev2_ |= cap == "IMAP4REV2";
      enabled += " " + cap;
    } else if (cap == "IMAP4REV2" && !rev2_) {
      rev2_ = true;
      enabled += " " + cap;
    }
  }
  out.reply += "* ENABLED" + enabled + "\r\n";
  respond(out, c.tag, Condition::kOk, "", "enable done");
}

void Session::cmd_namespace(imap::Command& c, Output& out) {
  out.reply += "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";
  respond(out, c.tag, Condition::kOk, "", "namespace done");
}

// RFC 2177: lines are read raw until DONE (Session::process).
void Session::cmd_idle(imap::Command& c, Output& out) {
  out.reply += "+ idling\r\n";
  idle_tag_ = c.tag;
  if (state_ == State::kSelected) updates(out, true);
}

// CLOSE expunges unless read-only (RFC 9051 §6.4.1); UNSELECT never (§6.4.2).
void Session::cmd_close(imap::Command& c, Output& out) {
  bool close = c.verb == Verb::kClose;
  close_mailbox(close && !read_only_);
  respond(out, c.tag, Condition::kOk, "", close ? "close done" : "unselect done");
}

}  // namespace mox::imapserver
