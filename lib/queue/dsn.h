// Delivery status notifications (RFC 3464) for the senders of queued mail:
// "failed" when a message cannot be delivered, "delayed" after the 5th
// failed attempt (mox-queue(8) "Delivery"). A DSN is a multipart/report (RFC
// 6522) with a human-readable part, a message/delivery-status part and the
// header of the original message (text/rfc822-headers). When an address is not
// ASCII, the UTF-8 forms of RFC 6533 are used (message/global-delivery-status,
// message/global-headers).
//
// Senders of queued mail are always local accounts (submission), so a DSN
// is delivered straight into the sender's Inbox, as mox does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace mox::queue {

struct DsnRecipient {
  std::string address;     // final recipient
  bool failed = true;      // Action: failed, else delayed
  std::string status;      // enhanced status code, e.g. "5.1.1" (RFC 3463)
  int64_t code = 0;        // remote SMTP reply code, 0 when none
  std::string diagnostic;  // the remote reply text, or our reason
  std::string remote_mta;  // host that answered, if any
  int64_t last_attempt = 0;
};

struct Dsn {
  std::string reporting_mta;  // our host name
  std::string to;             // the original sender
  std::string original_message_id, original_subject;
  std::string original_header;  // header section of the original message (CRLF)
  int64_t arrival = 0;          // when the message was queued
  int64_t now = 0;
  int64_t will_retry_until = 0;  // delayed DSNs
  std::vector<DsnRecipient> recipients;
};

// The complete DSN message, CRLF line ends.
std::string compose_dsn(const Dsn& dsn);

// Composes the DSN and delivers it to the Inbox of `account`. kNotFound when
// the account no longer exists.
Status deliver_dsn(const config::Config& config, const std::string& account, const Dsn& dsn);

}  // namespace mox::queue
