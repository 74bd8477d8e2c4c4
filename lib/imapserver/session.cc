#include "imapserver/session.h"

#include <strings.h>

#include <algorithm>
#include <sstream>

#include "imap/parser.h"
#include "imapserver/search_update.h"
#include "util/encoding.h"

namespace mox::imapserver {

using imap::Condition;

CommandBudget::CommandBudget(Backend& backend, std::chrono::milliseconds limit, bool limited)
    : backend_(backend),
      deadline_(std::chrono::steady_clock::now() + limit),
      next_check_(std::chrono::steady_clock::now()),  // the first step checks
      limited_(limited) {}

bool CommandBudget::step() {
  if (gone_) return false;
  auto now = std::chrono::steady_clock::now();
  if (now >= next_check_) {
    next_check_ = now + std::chrono::milliseconds(50);
    gone_ = backend_.client_gone();
  }
  return !gone_ && (!limited_ || now < deadline_);
}

Session::Session(Settings s, Backend& backend) : s_(std::move(s)), backend_(backend) {
  imap::ReaderLimits lim;
  lim.max_append_literal = static_cast<uint64_t>(s_.max_append);
  lim.max_command = std::max<uint64_t>(lim.max_command, lim.max_append_literal + (1 << 20));
  reader_ = imap::Reader(lim);
  if (s_.implicit_tls) tls_.active = true;
}

Session::~Session() { flush_attempt(); }

void Session::attempt(std::string mech, std::string username, std::string account,
                      std::string result) {
  flush_attempt();
  pending_ =
      PendingAttempt{std::move(mech), std::move(username), std::move(account), std::move(result)};
  // Failures count for the per-IP limiter at once (mox-imapd(8)
  // "Authentication"); only a success waits for the client's ID to learn its
  // user agent.
  if (pending_->result != "ok") flush_attempt();
}

void Session::flush_attempt() {
  if (!pending_) return;
  backend_.auth_attempt(pending_->mech, pending_->username, pending_->account, pending_->result,
                        user_agent_);
  pending_.reset();
}

std::string Session::capabilities() const {
  // Only what is implemented, in the order of mox-imapd(8) "Capabilities".
  std::string caps =
      "IMAP4rev2 IMAP4rev1 ENABLE LITERAL+ IDLE SASL-IR BINARY UNSELECT UIDPLUS ESEARCH SEARCHRES "
      "MOVE UTF8=ACCEPT LIST-EXTENDED SPECIAL-USE CREATE-SPECIAL-USE LIST-STATUS";
  if (state_ == State::kNotAuthenticated) {
    sasl::Context ctx = backend_.sasl_context(tls_);
    for (const auto& m : sasl::server_mechanisms(ctx, tls_.active || !s_.login_requires_tls)) {
      if (m == "LOGIN") continue;  // the LOGIN command covers it
      if ((m == "PLAIN") && !tls_.active && s_.login_requires_tls) continue;
      caps += " AUTH=" + m;
    }
  }
  caps += " ID APPENDLIMIT=" + std::to_string(s_.max_append) +
          " CONDSTORE QRESYNC STATUS=SIZE WITHIN NAMESPACE MULTIAPPEND QUOTA QUOTA=RES-STORAGE"
          " SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES";
  caps += " CONTEXT=SEARCH PARTIAL MULTISEARCH";  // search_update.cc, search_multi.cc
  caps += " COMPRESS=DEFLATE NOTIFY";             // RFC 4978, RFC 5465 (notify_cmd.cc)
  // RFC 4469, RFC 8508, RFC 8970, RFC 9586, RFC 5464
  caps += " CATENATE REPLACE PREVIEW UIDONLY METADATA METADATA-SERVER";
  if (state_ == State::kNotAuthenticated) {
    if (!tls_.active && s_.tls_configured) caps += " STARTTLS";
    if (!tls_.active && s_.login_requires_tls) caps += " LOGINDISABLED";
  }
  if (account_.empty()) return caps;
  // mox-imapd(8) "Capabilities": per-account IMAPCapabilitiesDisabled, after
  // login.
  std::string kept;
  std::istringstream in(caps);
  for (std::string cap; in >> cap;) {
    if (!capability_disabled(cap)) kept += (kept.empty() ? "" : " ") + cap;
  }
  return kept;
}

bool Session::capability_disabled(std::string_view cap) const {
  if (account_.empty()) return false;
  std::string_view name = cap.substr(0, cap.find('='));
  for (const auto& d : backend_.capabilities_disabled(account_)) {
    bool with_value = d.find('=') != std::string::npos;
    std::string_view c = with_value ? cap : name;
    if (c.size() == d.size() && strncasecmp(c.data(), d.data(), d.size()) == 0) return true;
  }
  // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE, so it goes with it.
  if (strcasecmp(std::string(cap).c_str(), "QRESYNC") == 0) return capability_disabled("CONDSTORE");
  return false;
}

Output Session::greeting() {
  Output out;
  if (!backend_.auth_allowed()) {
    out.reply = "* BYE too many auth failures\r\n";  // mox-imapd(8) "Authentication"
    out.close = true;
    state_ = State::kLogout;
    return out;
  }
  // mox-imapd(8) "TLS client certificates": a client certificate on implicit
  // TLS logs in at once, unless its key says NoIMAPPreauth; after STARTTLS
  // never (RFC 9051 §7.1.4 PREAUTH is only a greeting).
  if (s_.implicit_tls && tls_.cert && !tls_.cert->no_imap_preauth) return cert_greeting();
  out.reply = "* OK [CAPABILITY " + capabilities() + "] mox imap\r\n";
  return out;
}

void Session::tls_started(const TLSState& tls) { tls_ = tls; }

std::string Session::watch_dir() const { return mailstore_ ? mailstore_->dir() : ""; }

void Session::respond(Output& out, const std::string& tag, Condition c, std::string_view code,
                      std::string_view text) {
  search_flush(out);  // CONTEXT=SEARCH updates go before the completion
  out.reply += imap::status_line(tag, c, code, text);
}

void Session::store_failure(Output& out, const std::string& tag, const Error& e,
                            std::string_view not_found_code) {
  // SQLite's own texts (a constraint is a kUser error) are never shown.
  bool ours = e.message.rfind("sqlite", 0) != 0;
  switch (e.kind) {
    case ErrorKind::kUser:
    case ErrorKind::kSyntax:
      if (ours) return respond(out, tag, Condition::kNo, "", e.message);
      break;
    case ErrorKind::kNotFound:
      if (ours) return respond(out, tag, Condition::kNo, not_found_code, e.message);
      break;
    case ErrorKind::kNoSpace:
      backend_.log_error(account_ + ": " + e.message);
      return respond(out, tag, Condition::kNo, "UNAVAILABLE",
                     "insufficient storage on server, try again later");
    case ErrorKind::kOverQuota:
      // RFC 9208 §4.3, RFC 5530 §3: the user's own limit, not the server's failure.
      return respond(out, tag, Condition::kNo, "OVERQUOTA", e.message);
    case ErrorKind::kTemporary:
    case ErrorKind::kTimeout:
    case ErrorKind::kPermanent:
    case ErrorKind::kInternal:
      break;
  }
  // The cause (an SQLite or file error) is the operator's, not the client's.
  backend_.log_error(account_ + ": " + e.message);
  respond(out, tag, Condition::kNo, is_temporary(e) ? "UNAVAILABLE" : "SERVERBUG",
          "internal error, try again later");
}

void Session::over_budget(Output& out, const std::string& tag, const CommandBudget& b,
                          std::string_view what) {
  if (b.client_gone()) {
    out.close = true;  // nobody to answer
    state_ = State::kLogout;
    return;
  }
  respond(out, tag, Condition::kNo, "LIMIT", std::string(what) + " took too long, narrow it down");
}

void Session::bad(Output& out, const std::string& tag, std::string_view text) {
  respond(out, tag.empty() ? "*" : tag, Condition::kBad, "", text);
  if (++bad_count_ >= s_.max_bad_commands) {
    out.reply += "* BYE too many syntax errors\r\n";
    out.close = true;
    state_ = State::kLogout;
  }
}

Output Session::feed(std::string_view data) {
  Output out;
  reader_.feed(data);
  if (fetch_job_) {
    out.more = true;  // the data waits behind the FETCH's remaining parts
  } else {
    process(out);
  }
  return out;
}

Output Session::resume() {
  Output out;
  if (fetch_job_) fetch_step(out);
  if (!out.more) process(out);
  return out;
}

void Session::process(Output& out) {
  while (state_ != State::kLogout && !out.start_tls && !out.compress && !out.more) {
    imap::ReadEvent ev = reader_.next();
    using K = imap::ReadEvent::Kind;
    if (ev.kind == K::kNeedMore) break;
    if (ev.kind == K::kError) {
      respond(out, ev.error.tag.empty() ? "*" : ev.error.tag,
              ev.error.bad ? Condition::kBad : Condition::kNo, ev.error.code, ev.error.text);
      if (ev.error.close) {
        out.close = true;
        state_ = State::kLogout;
      }
      continue;
    }
    if (ev.kind == K::kLiteral) {
      reader_.accept_literal();
      out.reply += "+ ok\r\n";
      continue;
    }
    if (ev.kind == K::kLine) {
      if (idle_tag_) {
        std::string tag = *idle_tag_;
        idle_tag_.reset();
        if (ev.line == "DONE" || ev.line == "done") {
          updates(out, true);
          respond(out, tag, Condition::kOk, "", "idle done");
        } else {
          bad(out, tag, "expected DONE");
        }
      } else if (mech_) {
        auth_line(ev.line, out);
        if (mech_) reader_.expect_raw_line();  // another SASL round
      }
      continue;
    }
    std::string tag = ev.command.tag;
    auto cmd = imap::parse_command(std::move(ev.command), imap::ParseOptions{utf8_});
    if (!cmd) {
      bad(out, tag, cmd.error().message);
      continue;
    }
    handle(*cmd, out);
    if (idle_tag_ || mech_) {
      reader_.expect_raw_line();
      if (idle_tag_) out.idle = true;
    }
  }
  if ((out.start_tls || out.compress) && reader_.buffered() > 0) {
    // CVE-2011-0411 class: nothing may be pipelined after STARTTLS; nor
    // after COMPRESS, whose client waits for the OK (RFC 4978 §3).
    out.reply += out.start_tls ? "* BYE pipelined input after STARTTLS not allowed\r\n"
                               : "* BYE pipelined input after COMPRESS not allowed\r\n";
    out.start_tls = out.compress = false;
    out.close = true;
    state_ = State::kLogout;
  }
}

Output Session::poll_updates() {
  Output out;
  if (state_ == State::kLogout) return out;
  if (!account_.empty()) {
    std::string why = backend_.account_gone(account_);
    if (!why.empty()) {
      out.reply = "* BYE " + why + "\r\n";
      out.close = true;
      state_ = State::kLogout;
      return out;
    }
  }
  if (notify_) {
    notify_updates(out);  // RFC 5465 (notify_cmd.cc), the selected mailbox too
  } else if (state_ == State::kSelected) {
    updates(out, true);
  }
  out.idle = idle_tag_.has_value();
  return out;
}

}  // namespace mox::imapserver
