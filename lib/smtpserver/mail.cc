// MAIL and RCPT (RFC 5321 §4.1.1.2–3; RFC 1870 SIZE, RFC 6152 8BITMIME,
// RFC 6531 SMTPUTF8, RFC 9422 LIMITS).
#include <cctype>

#include "smtp/command.h"
#include "smtpserver/session.h"

namespace mox::smtpserver {

const std::string& Session::sender_account() const {
  return account_.empty() && tls_.cert ? tls_.cert->account : account_;
}

void Session::cmd_mail(const std::string& args, Output& out) {
  if (state_ == State::kInitial) return error(out, 503, "5.1", "send EHLO/HELO first");
  if (state_ != State::kReady) return error(out, 503, "5.1", "already in a mail transaction");
  if (s_.mode == Mode::kSmtp && s_.require_starttls && !tls_.active) {
    return error(out, 530, "7.0", "STARTTLS required");
  }
  if (s_.mode != Mode::kSmtp && account_.empty()) {
    // mox-smtpd(8) "Authentication": a client certificate authenticated the
    // connection during the TLS handshake; no AUTH needed. docs/DESIGN.md
    // "Differences from mox": a login-disabled account learns why here.
    if (!tls_.cert) return error(out, 530, "7.0", "authentication required");
    if (!tls_.cert->login_disabled.empty()) {
      return error(out, 525, "7.13", "login disabled for account: " + tls_.cert->login_disabled);
    }
  }
  auto pa = smtp::parse_path_args(args, "FROM:");
  if (!pa) return error(out, 501, "1.7", pa.error().message);
  Transaction tx;
  if (!esmtp_ && !pa->params.empty()) {
    return error(out, 555, "5.4", "parameters require EHLO");  // RFC 5321 §4.1.1.11
  }
  for (const auto& [key, value] : pa->params) {
    if (key == "SIZE") {
      // RFC 1870 §6: a declared size over the limit is refused at once.
      if (value.empty() || value.size() > 18 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        return error(out, 501, "5.4", "invalid SIZE value");
      }
      if (std::stoll(value) > s_.max_message_size) {
        return error(out, 552, "3.4", "message too large");
      }
    } else if (key == "BODY") {
      std::string v = value;
      for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (v == "8BITMIME") {
        tx.body_8bitmime = true;
      } else if (v != "7BIT") {
        return error(out, 555, "5.4", "unsupported BODY value");
      }
    } else if (key == "SMTPUTF8" && value.empty()) {
      tx.smtputf8 = true;
    } else if (key == "AUTH") {
      // RFC 4954 §5: accepted and ignored; we do not relay trust.
    } else {
      return error(out, 555, "5.4", "unrecognized parameter " + key);
    }
  }
  if (pa->path.non_ascii && !tx.smtputf8) {
    return error(out, 553, "6.7", "non-ascii address requires SMTPUTF8");
  }
  if (s_.mode != Mode::kSmtp) {
    if (!pa->path.address)
      return error(out, 550, "7.1", "null reverse-path not allowed for submission");
    switch (backend_.check_sender(sender_account(), *pa->path.address)) {
      case Backend::SenderStatus::kOk:
        break;
      case Backend::SenderStatus::kNotAllowed:
        return error(out, 550, "7.1", "address not allowed for authenticated user");
      case Backend::SenderStatus::kDomainDisabled:
        return error(out, 451, "3.0", "domain of smtp mail from is temporarily disabled");
    }
  }
  tx.from = pa->path.address;
  tx_ = std::move(tx);
  state_ = State::kMail;
  reply(out, 250, "1.0", "ok");
}

void Session::cmd_rcpt(const std::string& args, Output& out) {
  if (state_ != State::kMail && state_ != State::kRcpt) {
    return error(out, 503, "5.1", "MAIL first");
  }
  if (bdat_remaining_ > 0 || spool_) return error(out, 503, "5.1", "RCPT not allowed during BDAT");
  auto pa = smtp::parse_path_args(args, "TO:");
  if (!pa) return error(out, 501, "1.3", pa.error().message);
  if (!pa->path.address) return error(out, 501, "1.3", "null recipient not allowed");
  if (!pa->params.empty()) {
    return error(out, 555, "5.4", "unrecognized parameter " + pa->params[0].first);
  }
  if (pa->path.non_ascii && !tx_.smtputf8) {
    return error(out, 553, "6.7", "non-ascii address requires SMTPUTF8");
  }
  // RFC 5321 §4.5.3.1.10: the client sends the rest in a later transaction;
  // not an error of the session's (error() would end it after max_errors).
  if (tx_.rcpts.size() >= s_.rcpt_max) return reply(out, 452, "5.3", "too many recipients");
  const smtp::Address& a = *pa->path.address;
  auto r = backend_.check_recipient(a, s_.mode == Mode::kSmtp ? std::string() : sender_account());
  switch (r.status) {
    case Backend::RcptStatus::kLocal:
      tx_.rcpts.push_back({a, true, r.account, r.mailbox});
      break;
    case Backend::RcptStatus::kRemote:
      if (s_.mode == Mode::kSmtp) return error(out, 550, "7.1", "relaying not allowed");
      tx_.rcpts.push_back({a, false, "", ""});
      break;
    case Backend::RcptStatus::kUnknown:
      return error(out, 550, "1.1", "no such user");
    case Backend::RcptStatus::kDomainDisabled:
      return error(out, 450, "2.1", "recipient domain temporarily disabled");
    case Backend::RcptStatus::kSuppressed:
      // The address failed permanently before, or the administrator added
      // it (mox-queue suppress); RFC 3463 X.1.1 bad destination mailbox.
      return error(out, 550, "1.1", "recipient address is on the suppression list of your account");
  }
  if (state_ == State::kMail && s_.mode == Mode::kSmtp) backend_.transaction_started(ehlo_, tx_);
  state_ = State::kRcpt;
  reply(out, 250, "1.5", "ok");
}

}  // namespace mox::smtpserver
