// DATA (RFC 5321 §4.1.1.4, §4.5.2 transparency) and BDAT (RFC 3030).
#include "smtpserver/session.h"

namespace mox::smtpserver {

bool Session::begin_content(Output& out) {
  auto spool = backend_.begin_message();
  if (!spool) {
    backend_.log_error("spool: " + spool.error().message);
    reply(out, 451, "3.0", "cannot store message, try again later");
    return false;
  }
  spool_failure_ = ErrorKind::kInternal;
  spool_ = std::move(*spool);
  content_.reset(s_.max_message_size);
  return true;
}

void Session::spool_append(std::string_view bytes) {
  if (!spool_) return;
  if (auto st = spool_->append(bytes); !st) {
    // Nothing of a message with a lost part is stored: finish_content
    // answers 451 without a spool.
    backend_.log_error("storing message data: " + st.error().message);
    spool_failure_ = st.error().kind;
    spool_.reset();
  }
}

void Session::cmd_data(const std::string& args, Output& out) {
  if (!args.empty()) return error(out, 501, "5.4", "no parameters allowed");
  if (state_ == State::kMail) return error(out, 503, "5.1", "no valid recipients");
  // RFC 3030 §3: DATA and BDAT do not mix in one transaction.
  if (state_ == State::kBdatWait || spool_) {
    return error(out, 503, "5.1", "DATA not allowed after BDAT");
  }
  if (state_ != State::kRcpt) return error(out, 503, "5.1", "MAIL and RCPT first");
  if (!begin_content(out)) return;
  state_ = State::kData;
  data_line_start_ = true;
  reply(out, 354, "", "continue");
}

// Consumes complete lines of DATA; returns the number of bytes used.
// RFC 5321 §4.1.1.4: only <CRLF>.<CRLF> ends the data. A "." line counts only
// when the line before it ended in CRLF (not a bare LF) and it starts at a
// line start: otherwise "\n.\r\n" would end DATA for us but not for a strict
// receiver, which is how SMTP smuggling (CVE-2023-51764) works.
size_t Session::feed_data(std::string_view in, Output& out) {
  size_t used = 0;
  std::string chunk;
  auto keep = [&](std::string_view part) {
    content_.add(part);
    if (!content_.too_large() && content_.problem() == ContentChecker::Problem::kNone) {
      chunk.append(part);
    }
  };
  while (true) {
    size_t lf = in.find('\n', used);
    if (lf == std::string_view::npos) {
      // A partial line stays buffered, unless it is far too long already;
      // what follows it is then not at a line start.
      if (in.size() - used > 64 * 1024) {
        keep(in.substr(used));
        used = in.size();
        data_line_start_ = false;
      }
      break;
    }
    std::string_view line = in.substr(used, lf + 1 - used);
    used = lf + 1;
    bool at_start = data_line_start_;
    data_line_start_ = line.size() >= 2 && line[line.size() - 2] == '\r';
    if (at_start && line == ".\r\n") {
      if (!chunk.empty()) spool_append(chunk);
      content_.finish();
      finish_content(out);
      return used;
    }
    if (at_start && line[0] == '.') line.remove_prefix(1);  // §4.5.2 dot-unstuffing
    keep(line);
    if (chunk.size() >= 64 * 1024) {
      spool_append(chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) spool_append(chunk);
  return used;
}

void Session::cmd_bdat(const std::string& args, Output& out) {
  size_t sp = args.find(' ');
  std::string num = args.substr(0, sp);
  std::string rest = sp == std::string::npos ? "" : args.substr(sp + 1);
  std::string up = rest;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (num.empty() || num.size() > 18 || num.find_first_not_of("0123456789") != std::string::npos ||
      (!up.empty() && up != "LAST")) {
    // The chunk size is unknown: the bytes that follow cannot be skipped.
    reply(out, 501, "5.4", "invalid BDAT size, closing connection");
    out.close = true;
    state_ = State::kClosed;
    return;
  }
  int64_t n = std::stoll(num);
  bool last = up == "LAST";
  // RFC 3030 §2: a refused BDAT's chunk is still read and discarded, so the
  // data is never taken for commands.
  const char* refuse = nullptr;
  if (state_ != State::kRcpt && state_ != State::kBdatWait) {
    refuse = state_ == State::kMail ? "no valid recipients" : "MAIL and RCPT first";
  } else if (spool_ && state_ == State::kRcpt) {
    refuse = "BDAT not allowed after DATA";
  }
  if (refuse) {
    bdat_discard_ = refuse;
    bdat_return_ = state_;
  } else if (!spool_ && !bdat_failed_ && !begin_content(out)) {
    bdat_failed_ = true;
  }
  bdat_remaining_ = n;
  bdat_last_ = last;
  state_ = State::kBdat;
  if (n == 0) feed_bdat("", out);
}

size_t Session::feed_bdat(std::string_view in, Output& out) {
  size_t take =
      static_cast<size_t>(std::min<int64_t>(bdat_remaining_, static_cast<int64_t>(in.size())));
  std::string_view part = in.substr(0, take);
  bdat_remaining_ -= static_cast<int64_t>(take);
  if (!bdat_discard_.empty()) {
    if (bdat_remaining_ == 0) {
      state_ = bdat_return_;
      std::string msg = std::move(bdat_discard_);
      bdat_discard_.clear();
      error(out, 503, "5.1", msg);
    }
    return take;
  }
  if (!bdat_failed_) {
    content_.add(part);
    if (!content_.too_large() && content_.problem() == ContentChecker::Problem::kNone && spool_) {
      spool_append(part);
    }
  }
  if (bdat_remaining_ > 0) return take;
  if (bdat_failed_) {
    // RFC 3030 §2: after an error the remaining chunks are refused.
    error(out, 554, "5.0", "earlier chunk failed, transaction aborted");
    if (bdat_last_)
      reset_transaction();
    else
      state_ = State::kBdatWait;
    return take;
  }
  if (bdat_last_) {
    content_.finish();
    finish_content(out);
  } else {
    state_ = State::kBdatWait;
    reply(out, 250, "0.0", "chunk received");
  }
  return take;
}

void Session::finish_content(Output& out) {
  using P = ContentChecker::Problem;
  std::unique_ptr<Spool> spool = std::move(spool_);
  Transaction tx = std::move(tx_);
  reset_transaction();
  state_ = State::kReady;
  if (content_.too_large()) return error(out, 552, "3.4", "message too large");
  switch (content_.problem()) {
    case P::kNone:
      break;
    case P::kBareCR:
    case P::kBareLF:
      return error(out, 500, "5.2",
                   "bare carriage return or newline in message not allowed, lines must end "
                   "with CRLF (RFC 5321 §2.3.8)");
    case P::kNul:
      return error(out, 554, "6.0", "NUL byte in message not allowed");
    case P::kLineTooLong:
      return error(out, 500, "5.2",
                   "line too long, max 1000 octets including CRLF (RFC 5321 §4.5.3.1.6)");
    case P::kTooLarge:
      return error(out, 552, "3.4", "message too large");
  }
  // A message has at least a header section (RFC 5322 §3.6: Date and From);
  // "BDAT 0 LAST" or an immediate "." carry nothing to deliver.
  if (content_.size() == 0) return error(out, 554, "6.0", "empty message not allowed");
  if (!spool) {
    // The server's failure, not the client's: not counted as an error.
    if (spool_failure_ == ErrorKind::kNoSpace) {
      return reply(out, 452, "3.1", "insufficient system storage, try again later");
    }
    return reply(out, 451, "3.0", "error storing message, try again later");
  }
  SessionInfo info;
  info.submission = s_.mode != Mode::kSmtp;
  info.ehlo = ehlo_;
  info.account = sender_account();
  info.username = username_.empty() && tls_.cert ? tls_.cert->login_address : username_;
  info.tls = tls_;
  info.esmtp = esmtp_;
  info.size = content_.size();
  info.has_8bit = content_.has_8bit();
  info.header = content_.header();
  out.reply += backend_.deliver(info, tx, std::move(spool)).wire();
}

}  // namespace mox::smtpserver
