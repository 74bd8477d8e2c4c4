// The Maildir writer of mox-config export: one Maildir per mailbox
// (maildir(5) of qmail; https://cr.yp.to/proto/maildir.html), as Dovecot
// reads it.
//
// DIR/{cur,new,tmp} are made (mode 0700); each message is written to tmp/,
// its mtime (and atime) set to its INTERNALDATE, and renamed into cur/ as
//   <INTERNALDATE>.M<message ID>.mox:2,<info>
// with the info letters and keyword letters of mailio/maildirname.h, so a
// reader of the Maildir never sees half a message. finish() writes
// "dovecot-keywords" when a keyword got a letter. Line ends as
// mailio/msgbytes.h says: LF when all of the message's are CRLF, else as
// stored (docs/DESIGN.md "Import and export"). A Maildir holds at most 26
// keywords; a message's keywords beyond those are not written, and one
// warning for the mailbox says which. Nothing is fsynced (mox-config
// export syncs the file system at the end).
#pragma once

#include <memory>
#include <string>

#include "mailio/writer.h"
#include "util/result.h"

namespace mox::mailio {

// The Maildir `dir` (made with its parents as needed).
Result<std::unique_ptr<MailboxWriter>> open_maildir_writer(const std::string& dir);

// Whether the Maildir `dir` has content (a file in cur/, new/ or tmp/, or
// a dovecot-keywords file): export refuses to write into it.
Result<bool> maildir_has_content(const std::string& dir);

}  // namespace mox::mailio
