// The SMTP server session state machine (RFC 5321 and extensions), without
// I/O: bytes in, reply bytes and actions out (docs/DESIGN.md "Decisions"). The
// driver (server.cc) owns the socket and TLS; the Backend owns the stores.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/address.h"
#include "smtp/reply.h"
#include "smtpserver/backend.h"
#include "smtpserver/content.h"

namespace mox::smtpserver {

enum class Mode { kSmtp, kSubmission, kSubmissions };

struct Settings {
  Mode mode = Mode::kSmtp;
  std::string hostname;
  bool tls_configured = false;    // STARTTLS can be offered
  bool require_starttls = false;  // port 25: refuse MAIL before STARTTLS
  bool auth_requires_tls = true;  // submission: AUTH only after TLS
  int64_t max_message_size = 100 * 1024 * 1024;
  size_t rcpt_max = 1000;          // LIMITS RCPTMAX (RFC 9422)
  size_t max_command_line = 4096;  // RFC 5321 §4.5.3.1.4 is 512; extensions need more
  int max_errors = 10;             // then 421 and close
  std::chrono::milliseconds auth_delay_unit{1000};  // failed-auth slow-down step
};

struct Output {
  std::string reply;                   // bytes to send, possibly several replies
  std::chrono::milliseconds delay{0};  // wait before sending (failed-auth slow-down)
  bool start_tls = false;              // send reply, then TLS handshake
  bool close = false;                  // send reply, then close
};

class Session {
 public:
  Session(Settings s, Backend& backend);
  ~Session();

  // The banner, or a refusal (421) when the connection may not proceed.
  Output greeting();
  // Processes received bytes; replies to every complete command.
  Output feed(std::string_view data);
  // The driver finished the TLS handshake: the session starts over (RFC 3207 §4.2).
  void tls_started(const TLSState& tls);
  // The peer closed the connection (or timed out): drop any transaction.
  void end();

  bool tls() const { return tls_.active; }
  const std::string& account() const { return account_; }

 private:
  enum class State { kInitial, kReady, kMail, kRcpt, kData, kBdat, kBdatWait, kAuth, kClosed };
  using Handler = void (Session::*)(const std::string& args, Output& out);
  struct Verb {
    const char* name;
    Handler handler;
  };
  static const Verb kVerbs[];

  void command(std::string_view line, Output& out);
  void reply(Output& out, int code, std::string_view enhanced, std::string_view text);
  void error(Output& out, int code, std::string_view enhanced, std::string_view text);
  void reset_transaction();
  std::vector<std::string> ehlo_lines() const;
  // The account mail is submitted for: of AUTH, else of the TLS client
  // certificate (mox-smtpd(8) "Authentication").
  const std::string& sender_account() const;

  void cmd_ehlo(const std::string& args, Output& out);
  void cmd_helo(const std::string& args, Output& out);
  void cmd_starttls(const std::string& args, Output& out);
  void cmd_auth(const std::string& args, Output& out);
  void cmd_mail(const std::string& args, Output& out);
  void cmd_rcpt(const std::string& args, Output& out);
  void cmd_data(const std::string& args, Output& out);
  void cmd_bdat(const std::string& args, Output& out);
  void cmd_rset(const std::string& args, Output& out);
  void cmd_noop(const std::string& args, Output& out);
  void cmd_quit(const std::string& args, Output& out);
  void cmd_vrfy(const std::string& args, Output& out);
  void cmd_help(const std::string& args, Output& out);

  // auth.cc
  void auth_response(std::string_view line, Output& out);
  void auth_step(const sasl::Step& step, Output& out);
  // data.cc
  size_t feed_data(std::string_view in, Output& out);
  // Appends to the spool; a failed write drops the spool (and is logged).
  void spool_append(std::string_view bytes);
  size_t feed_bdat(std::string_view in, Output& out);
  bool begin_content(Output& out);
  void finish_content(Output& out);

  Settings s_;
  Backend& backend_;
  State state_ = State::kInitial;
  std::string inbuf_;
  bool discarding_line_ = false;  // skipping an over-long command line
  int errors_ = 0;
  bool esmtp_ = false;
  std::string ehlo_;
  TLSState tls_;
  // Authentication.
  std::string account_, username_;
  std::unique_ptr<sasl::Mechanism> mech_;
  int auth_failures_ = 0;
  // Transaction.
  Transaction tx_;
  std::unique_ptr<Spool> spool_;
  ErrorKind spool_failure_ = ErrorKind::kInternal;  // why spool_ was dropped
  ContentChecker content_;
  bool data_line_start_ = true;  // DATA: the next byte starts a line after CRLF
  int64_t bdat_remaining_ = 0;
  bool bdat_last_ = false;
  bool bdat_failed_ = false;
  std::string bdat_discard_;  // non-empty: the chunk is read and refused with this text
  State bdat_return_ = State::kReady;
};

}  // namespace mox::smtpserver
