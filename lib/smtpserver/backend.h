// What an SMTP session needs from the rest of the system: recipient and
// sender checks, credentials, spooling and delivery. Implemented over the
// config and stores in delivery.cc; replaced by fakes in tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/tlsstate.h"
#include "sasl/sasl.h"
#include "smtp/address.h"
#include "smtp/reply.h"
#include "util/result.h"

namespace mox::smtpserver {

using TLSState = auth::TLSState;

struct Recipient {
  smtp::Address address;
  bool local = false;
  std::string account, mailbox;  // local recipients
};

struct Transaction {
  std::optional<smtp::Address> from;  // nullopt: null reverse-path "<>"
  bool smtputf8 = false;
  bool body_8bitmime = false;
  std::vector<Recipient> rcpts;
};

// Where message content is spooled while it arrives (a temp file).
class Spool {
 public:
  virtual ~Spool() = default;
  virtual Status append(std::string_view bytes) = 0;
};

struct SessionInfo {
  bool submission = false;
  std::string ehlo, account, username;
  TLSState tls;
  bool esmtp = false;
  int64_t size = 0;
  bool has_8bit = false;
  std::string header;  // header section of the message
};

class Backend {
 public:
  virtual ~Backend() = default;

  enum class RcptStatus { kLocal, kRemote, kUnknown, kDomainDisabled, kSuppressed };
  struct RcptResult {
    RcptStatus status = RcptStatus::kUnknown;
    std::string account, mailbox;
  };
  // `sender_account` is the submitting account ("" for incoming mail): a
  // remote address on its suppression list is kSuppressed.
  virtual RcptResult check_recipient(const smtp::Address& a, const std::string& sender_account) = 0;

  enum class SenderStatus { kOk, kNotAllowed, kDomainDisabled };
  // Submission: may `account` use `from` (mox-smtpd(8) "Submission")?
  virtual SenderStatus check_sender(const std::string& account, const smtp::Address& from) = 0;

  // Per-IP failed-auth limiter shared between processes (mox-smtpd(8)
  // "Authentication").
  virtual bool auth_allowed() = 0;
  // Records a login attempt and updates the limiter.
  virtual void auth_attempt(std::string_view mech, std::string_view username,
                            std::string_view account, std::string_view result) = 0;
  virtual sasl::Context sasl_context(const TLSState& tls) = 0;

  // Mail from outside (MX): the transaction has its first recipient, so
  // checks of its origin that need only the connection, EHLO and MAIL FROM
  // (SPF, iprev) can start while the client sends the rest.
  virtual void transaction_started(const std::string& ehlo, const Transaction& tx) {
    (void)ehlo;
    (void)tx;
  }

  virtual Result<std::unique_ptr<Spool>> begin_message() = 0;
  // A failure of the server's own (spool write, store) for the operator's
  // log; the client only gets a 4xx.
  virtual void log_error(std::string_view message) { (void)message; }
  // Delivers or queues the spooled message; the reply is sent as is. The
  // message must be durable before a 2xx reply is returned.
  virtual smtp::Reply deliver(const SessionInfo& info, const Transaction& tx,
                              std::unique_ptr<Spool> spool) = 0;
};

}  // namespace mox::smtpserver
