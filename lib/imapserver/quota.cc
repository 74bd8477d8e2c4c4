// QUOTA (RFC 9208): one quota root per account, named "", holding every
// mailbox, with the STORAGE resource: the account's QuotaMessageSize
// (store/quota.h). An account without a limit has no quota root.
// Users cannot change their quota: SETQUOTA is refused (no QUOTASET).
#include <variant>

#include "imap/writer.h"
#include "imapserver/session.h"

namespace mox::imapserver {
namespace {

using imap::Condition;

// RFC 9208 §5.1: STORAGE is counted in units of 1024 octets; rounded up.
int64_t kibibytes(int64_t bytes) { return (bytes + 1023) / 1024; }

}  // namespace

std::string Session::quota_response() {
  int64_t limit = backend_.quota_message_size(account_);
  if (limit <= 0) return "";
  auto used = mailstore_->disk_usage();
  if (!used) {
    backend_.log_error(account_ + ": " + used.error().message);
    return "";
  }
  return "* QUOTA \"\" (STORAGE " + std::to_string(kibibytes(*used)) + " " +
         std::to_string(kibibytes(limit)) + ")\r\n";
}

// RFC 9208 §4.3.2: the quota roots of a mailbox, and their QUOTA.
void Session::cmd_getquotaroot(imap::Command& c, Output& out) {
  if (capability_disabled("QUOTA")) return bad(out, c.tag, "QUOTA is disabled");
  auto& a = std::get<imap::MailboxArgs>(c.args);
  auto mb = mailstore_->find_mailbox(a.mailbox);
  if (!mb) return store_failure(out, c.tag, mb.error(), "NONEXISTENT");
  if (!*mb) return respond(out, c.tag, Condition::kNo, "NONEXISTENT", "mailbox does not exist");
  imap::ResponseWriter w(utf8_);
  w.mailbox((*mb)->name);
  std::string quota = quota_response();
  out.reply += "* QUOTAROOT " + w.take() + (quota.empty() ? "" : " \"\"") + "\r\n" + quota;
  respond(out, c.tag, Condition::kOk, "", "getquotaroot done");
}

// RFC 9208 §4.3.1.
void Session::cmd_getquota(imap::Command& c, Output& out) {
  if (capability_disabled("QUOTA")) return bad(out, c.tag, "QUOTA is disabled");
  auto& a = std::get<imap::QuotaRootArgs>(c.args);
  std::string quota = a.root.empty() ? quota_response() : "";
  if (quota.empty())
    return respond(out, c.tag, Condition::kNo, "NONEXISTENT", "no such quota root");
  out.reply += quota;
  respond(out, c.tag, Condition::kOk, "", "getquota done");
}

// RFC 9208 §4.3.3: only with QUOTASET, which is not announced; the limit is
// the administrator's (domains.conf QuotaMessageSize).
void Session::cmd_setquota(imap::Command& c, Output& out) {
  if (capability_disabled("QUOTA")) return bad(out, c.tag, "QUOTA is disabled");
  respond(out, c.tag, Condition::kNo, "NOPERM", "quota is set by the administrator");
}

}  // namespace mox::imapserver
