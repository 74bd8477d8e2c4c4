// What the writers of the mail file formats share (mailio/mboxwrite.h,
// mailio/maildirwrite.h): the one message they are given at a time, and the
// interface mox-config export (admin/export.h) writes a mailbox through.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace mox::mailio {

struct MessageInfo {
  int64_t id = 0;                  // the store's message ID, unique in the account
  int64_t received = 0;            // INTERNALDATE, seconds since the epoch
  std::vector<std::string> flags;  // IMAP names: "\\Seen", "$Forwarded", keywords
  std::string mail_from;           // SMTP MAIL FROM ("" unknown or null)
};

// Writes one mailbox. Not thread-safe.
class MailboxWriter {
 public:
  virtual ~MailboxWriter() = default;
  // Adds the message whose stored bytes are the file `fd` (open for reading,
  // not owned, read from offset 0 to its end; mailio/msgbytes.h). Returns
  // the bytes written.
  virtual Result<int64_t> add(int fd, const MessageInfo& m) = 0;
  // Completes the mailbox; nothing may be added after. Without finish(),
  // what a writer promises to leave whole (see each) is not there.
  virtual Status finish() = 0;
  // What was written short of the message (e.g. keywords with no room),
  // one line each, for the summary.
  const std::vector<std::string>& warnings() const { return warnings_; }

 protected:
  std::vector<std::string> warnings_;
};

}  // namespace mox::mailio
