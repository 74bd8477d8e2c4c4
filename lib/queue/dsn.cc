#include "queue/dsn.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "message/date.h"
#include "store/account.h"
#include "store/deliver.h"
#include "util/encoding.h"
#include "util/unique_fd.h"

namespace mox::queue {
namespace {

bool ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// A header field value without CR/LF, so peer text cannot add fields.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

std::string human_part(const Dsn& d, bool failed) {
  std::string t;
  if (failed) {
    t += "Delivery of your message to the following recipients failed permanently.\r\n"
         "It will not be retried.\r\n\r\n";
  } else {
    t += "Delivery of your message to the following recipients has been delayed.\r\n"
         "Delivery will be tried again until " +
         message::format_date(d.will_retry_until) +
         ";\r\nyou will get another message if it fails.\r\n\r\n";
  }
  for (const auto& r : d.recipients) {
    t += "  " + r.address + "\r\n";
    std::string why = r.code ? std::to_string(r.code) + " " : "";
    if (!r.status.empty()) why += r.status + " ";
    why += r.diagnostic;
    if (!r.remote_mta.empty()) why += " (from " + r.remote_mta + ")";
    t += "    " + one_line(why) + "\r\n";
  }
  t += "\r\nSubject: " + one_line(d.original_subject) + "\r\n";
  if (!d.original_message_id.empty())
    t += "Message-ID: " + one_line(d.original_message_id) + "\r\n";
  return t;
}

// RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields.
std::string status_part(const Dsn& d, bool utf8) {
  std::string addr_type = utf8 ? "utf-8" : "rfc822";
  std::string s = "Reporting-MTA: dns; " + d.reporting_mta + "\r\n";
  if (d.arrival) s += "Arrival-Date: " + message::format_date(d.arrival) + "\r\n";
  for (const auto& r : d.recipients) {
    s += "\r\nFinal-Recipient: " + addr_type + "; " + one_line(r.address) + "\r\n";
    s += std::string("Action: ") + (r.failed ? "failed" : "delayed") + "\r\n";
    std::string status = r.status.empty() ? (r.failed ? "5.0.0" : "4.0.0") : r.status;
    s += "Status: " + status + "\r\n";
    if (!r.remote_mta.empty()) s += "Remote-MTA: dns; " + one_line(r.remote_mta) + "\r\n";
    if (r.code) {
      s += "Diagnostic-Code: smtp; " + std::to_string(r.code) + " " +
           (r.status.empty() ? "" : r.status + " ") + one_line(r.diagnostic) + "\r\n";
    }
    if (r.last_attempt) s += "Last-Attempt-Date: " + message::format_date(r.last_attempt) + "\r\n";
    if (!r.failed && d.will_retry_until) {
      s += "Will-Retry-Until: " + message::format_date(d.will_retry_until) + "\r\n";
    }
  }
  return s;
}

}  // namespace

std::string compose_dsn(const Dsn& d) {
  bool failed = false;
  bool utf8 = !ascii(d.to);
  for (const auto& r : d.recipients) {
    failed |= r.failed;
    utf8 |= !ascii(r.address);
  }
  std::string boundary = "dsn-" + random_token(18);
  std::string m;
  m += "From: Mail Delivery Subsystem <postmaster@" + d.reporting_mta + ">\r\n";
  m += "To: <" + d.to + ">\r\n";
  m += std::string("Subject: ") + (failed ? "mail delivery failed" : "mail delivery delayed") +
       "\r\n";
  m += "Message-ID: <" + random_token() + "@" + d.reporting_mta + ">\r\n";
  m += "Date: " + message::format_date(d.now) + "\r\n";
  if (!d.original_message_id.empty()) {
    m += "References: " + one_line(d.original_message_id) + "\r\n";
  }
  m += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 §5
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary +
       "\"\r\n\r\n";
  m += "This is a MIME-formatted delivery status notification.\r\n";
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += human_part(d, failed);
  m += "\r\n--" + boundary + "\r\n";
  m += std::string("Content-Type: ") +
       (utf8 ? "message/global-delivery-status" : "message/delivery-status") + "\r\n\r\n";
  m += status_part(d, utf8);
  m += "\r\n--" + boundary + "\r\n";
  m += std::string("Content-Type: ") + (utf8 ? "message/global-headers" : "text/rfc822-headers") +
       "\r\n\r\n";
  m += d.original_header;
  if (d.original_header.size() < 2 ||
      d.original_header.substr(d.original_header.size() - 2) != "\r\n") {
    m += "\r\n";
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

Status deliver_dsn(const config::Config& config, const std::string& account, const Dsn& dsn) {
  if (!config.account(account)) {
    return Error{ErrorKind::kNotFound, "account " + account + " of the sender does not exist"};
  }
  MOX_ASSIGN(auto st, store::AccountStore::open(config.account_dir(account), true));
  std::string text = compose_dsn(dsn);
  UniqueFd fd(::memfd_create("dsn", MFD_CLOEXEC));
  if (!fd.valid()) return internal_error(std::string("memfd_create: ") + std::strerror(errno));
  for (size_t off = 0; off < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internal_error(std::string("writing DSN: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  store::DeliverRequest req;
  req.mailbox = "Inbox";
  req.source_fd = fd.get();
  MOX_TRY(store::deliver(st, req));
  return {};
}

}  // namespace mox::queue
