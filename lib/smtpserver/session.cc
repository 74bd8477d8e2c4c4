#include "smtpserver/session.h"

#include <algorithm>

#include "sasl/sasl.h"
#include "smtp/command.h"

namespace mox::smtpserver {

// The verb table: each verb's handler checks state and syntax, then acts.
const Session::Verb Session::kVerbs[] = {
    {"EHLO", &Session::cmd_ehlo},         {"HELO", &Session::cmd_helo},
    {"STARTTLS", &Session::cmd_starttls}, {"AUTH", &Session::cmd_auth},
    {"MAIL", &Session::cmd_mail},         {"RCPT", &Session::cmd_rcpt},
    {"DATA", &Session::cmd_data},         {"BDAT", &Session::cmd_bdat},
    {"RSET", &Session::cmd_rset},         {"NOOP", &Session::cmd_noop},
    {"QUIT", &Session::cmd_quit},         {"VRFY", &Session::cmd_vrfy},
    {"HELP", &Session::cmd_help},
};

Session::Session(Settings s, Backend& backend) : s_(std::move(s)), backend_(backend) {
  if (s_.mode == Mode::kSubmissions) tls_.active = true;
}

Session::~Session() = default;

Output Session::greeting() {
  Output out;
  if (s_.mode != Mode::kSmtp && !backend_.auth_allowed()) {
    // mox-smtpd(8) "Authentication": the per-IP failed-auth limit is exhausted.
    reply(out, 421, "7.0", "too many auth failures");
    out.close = true;
    state_ = State::kClosed;
    return out;
  }
  out.reply = "220 " + s_.hostname + " ESMTP mox\r\n";
  return out;
}

void Session::tls_started(const TLSState& tls) {
  tls_ = tls;
  // RFC 3207 §4.2: forget everything learned before TLS.
  state_ = State::kInitial;
  esmtp_ = false;
  ehlo_.clear();
  reset_transaction();
}

void Session::end() {
  reset_transaction();
  state_ = State::kClosed;
}

void Session::reply(Output& out, int code, std::string_view enhanced, std::string_view text) {
  out.reply += smtp::Reply{code, std::string(enhanced), std::string(text)}.wire();
}

void Session::error(Output& out, int code, std::string_view enhanced, std::string_view text) {
  reply(out, code, enhanced, text);
  if (++errors_ >= s_.max_errors) {
    reply(out, 421, "7.0", "too many errors, closing connection");
    out.close = true;
    state_ = State::kClosed;
  }
}

void Session::reset_transaction() {
  tx_ = Transaction();
  spool_.reset();
  bdat_remaining_ = 0;
  bdat_last_ = false;
  bdat_failed_ = false;
  if (state_ == State::kMail || state_ == State::kRcpt || state_ == State::kData ||
      state_ == State::kBdat || state_ == State::kBdatWait) {
    state_ = State::kReady;
  }
}

Output Session::feed(std::string_view data) {
  Output out;
  inbuf_.append(data);
  size_t pos = 0;
  while (pos < inbuf_.size() && state_ != State::kClosed && !out.start_tls) {
    std::string_view rest = std::string_view(inbuf_).substr(pos);
    if (state_ == State::kData) {
      size_t n = feed_data(rest, out);
      if (n == 0) break;
      pos += n;
      continue;
    }
    if (state_ == State::kBdat) {
      pos += feed_bdat(rest, out);
      continue;
    }
    size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) {
      if (rest.size() > s_.max_command_line) {
        // RFC 5321 §4.5.3.1.10: skip the rest of this line.
        if (!discarding_line_) error(out, 500, "5.2", "line too long");
        discarding_line_ = true;
        pos = inbuf_.size();
      }
      break;
    }
    std::string_view line = rest.substr(0, lf + 1);
    pos += lf + 1;
    if (discarding_line_) {
      discarding_line_ = false;
      continue;
    }
    if (line.size() > s_.max_command_line) {
      error(out, 500, "5.2", "line too long");
      continue;
    }
    if (line.size() < 2 || line[line.size() - 2] != '\r') {
      error(out, 500, "5.2", "bare newline, lines must end with CRLF (RFC 5321 §2.3.8)");
      continue;
    }
    line.remove_suffix(2);
    if (line.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
      error(out, 500, "5.2", "bare carriage return or NUL in command");
      continue;
    }
    if (state_ == State::kAuth) {
      auth_response(line, out);
      continue;
    }
    command(line, out);
    // RFC 3207 §4.2 / CVE-2011-0411: nothing may follow STARTTLS in the same read.
    if (out.start_tls && pos < inbuf_.size()) {
      out.start_tls = false;
      out.reply.clear();
      reply(out, 554, "5.0", "pipelined input after STARTTLS not allowed, closing");
      out.close = true;
      state_ = State::kClosed;
    }
  }
  inbuf_.erase(0, pos);
  return out;
}

void Session::command(std::string_view line, Output& out) {
  smtp::Command c = smtp::split_command(line);
  for (const auto& v : kVerbs) {
    if (c.verb == v.name) {
      (this->*v.handler)(c.args, out);
      return;
    }
  }
  error(out, 500, "5.1", "unknown command");
}

std::vector<std::string> Session::ehlo_lines() const {
  std::vector<std::string> l = {s_.hostname, "PIPELINING",
                                "SIZE " + std::to_string(s_.max_message_size)};
  if (!tls_.active && s_.tls_configured) l.push_back("STARTTLS");
  if (s_.mode != Mode::kSmtp && (tls_.active || !s_.auth_requires_tls)) {
    // RFC 4954 §3: at least one mechanism; before TLS none is offered.
    std::string auth = "AUTH";
    for (const auto& m : sasl::server_mechanisms(backend_.sasl_context(tls_), true))
      auth += " " + m;
    if (auth != "AUTH") l.push_back(auth);
  }
  for (const char* k : {"ENHANCEDSTATUSCODES", "8BITMIME", "CHUNKING", "SMTPUTF8"}) l.push_back(k);
  l.push_back("LIMITS RCPTMAX=" + std::to_string(s_.rcpt_max));
  return l;
}

void Session::cmd_ehlo(const std::string& args, Output& out) {
  if (!smtp::valid_ehlo_argument(args)) {
    error(out, 501, "5.4", "invalid EHLO domain or address literal");
    return;
  }
  reset_transaction();
  ehlo_ = args;
  esmtp_ = true;
  state_ = State::kReady;
  out.reply += smtp::multiline(250, ehlo_lines());
}

void Session::cmd_helo(const std::string& args, Output& out) {
  if (!smtp::valid_ehlo_argument(args)) {
    error(out, 501, "5.4", "invalid HELO domain or address literal");
    return;
  }
  reset_transaction();
  ehlo_ = args;
  esmtp_ = false;
  state_ = State::kReady;
  out.reply += "250 " + s_.hostname + "\r\n";
}

void Session::cmd_starttls(const std::string& args, Output& out) {
  if (!args.empty()) return error(out, 501, "5.4", "no parameters allowed");
  if (tls_.active) return error(out, 503, "5.1", "already in TLS session");
  if (!s_.tls_configured) return error(out, 502, "5.1", "STARTTLS not available");
  if (!account_.empty()) return error(out, 503, "5.1", "STARTTLS not allowed after authentication");
  if (state_ == State::kInitial) return error(out, 503, "5.1", "send EHLO first");
  reply(out, 220, "0.0", "go!");
  out.start_tls = true;
}

void Session::cmd_rset(const std::string& args, Output& out) {
  if (!args.empty()) return error(out, 501, "5.4", "no parameters allowed");
  reset_transaction();
  reply(out, 250, "0.0", "all clear");
}

void Session::cmd_noop(const std::string&, Output& out) { reply(out, 250, "0.0", "ok"); }

void Session::cmd_quit(const std::string& args, Output& out) {
  if (!args.empty()) return error(out, 501, "5.4", "no parameters allowed");
  reply(out, 221, "0.0", "bye");
  out.close = true;
  reset_transaction();
  state_ = State::kClosed;
}

void Session::cmd_vrfy(const std::string&, Output& out) {
  // RFC 5321 §3.5.3: 252 when not verifying, to not reveal addresses.
  reply(out, 252, "5.0", "cannot verify user, but will accept message and attempt delivery");
}

void Session::cmd_help(const std::string&, Output& out) {
  reply(out, 214, "0.0",
        "commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT");
}

}  // namespace mox::smtpserver
