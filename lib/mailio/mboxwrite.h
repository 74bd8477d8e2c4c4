// The mbox writer of mox-config export: mboxrd (RFC 4155; the "mboxrd"
// convention of qmail's mbox(5)), one file per mailbox.
//
// Each message is written as
//   From SENDER DATE\n         SENDER: the address of the message's
//                              Return-Path field, else its SMTP MAIL FROM,
//                              else MAILER-DAEMON; DATE: the INTERNALDATE in
//                              asctime(3) form, in UTC ("Mon Jan  1 12:00:00 2024")
//   Status: RO\n               R for \Seen; O always (the message is not new)
//   X-Status: AFTD\n           A \Answered, F \Flagged, T \Draft, D \Deleted;
//                              only when one is set
//   X-Keywords: a,b\n          every other flag ($Forwarded, $Junk, keywords),
//                              comma-separated; only when there is one
//   the message               a line matching ^>*From  gets one more '>';
//                              line ends as mailio/msgbytes.h says (CRLF
//                              becomes LF when all line ends are CRLF)
//   \n                         a line end if the message has none at its end,
//                              then the empty line that ends every message
// The three fields go at the very top of the header; import maps them back
// to flags and removes them, and removes one '>' from lines matching
// ^>+From , so that a message comes back byte for byte (docs/DESIGN.md
// "Import and export"). A message whose last line has no line end comes
// back with one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailio/writer.h"
#include "util/result.h"

namespace mox::mailio {

// "From SENDER DATE\n".
std::string mbox_from_line(std::string_view sender, int64_t received);
// The sender of the "From " line: the address in the Return-Path field of
// `header` (the start of the message, header and maybe more), else
// `mail_from`, else "MAILER-DAEMON"; an address with white space or control
// characters, or an empty one ("<>"), is skipped.
std::string mbox_sender(std::string_view header, std::string_view mail_from);
// The Status, X-Status and X-Keywords fields for `flags` (IMAP names).
std::string mbox_flag_fields(const std::vector<std::string>& flags);

// The message's bytes to their mbox form, a chunk at a time: the ">From "
// quoting across chunk boundaries, the CRs dropped when `strip_cr` (all line
// ends CRLF), and at finish() the line end and the empty line.
class MboxEncoder {
 public:
  explicit MboxEncoder(bool strip_cr) : strip_cr_(strip_cr) {}
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  void flush_prefix(std::string& out);

  bool strip_cr_;
  bool line_start_ = true;  // matching ">*From " at the start of a line
  size_t gt_ = 0;           // '>' seen of that prefix
  size_t from_ = 0;         // bytes of "From " seen after them
  char last_ = '\n';        // the last byte written (a new line at the start)
};

// Writes the mbox file `path` (its directories made as needed, mode 0700):
// to "PATH.tmp" first (mode 0600), renamed to `path` by finish(), so that
// the file is there whole or not at all; a writer destroyed unfinished
// removes the temporary file. Writes are buffered; nothing is fsynced
// (mox-config export syncs the file system at the end).
Result<std::unique_ptr<MailboxWriter>> open_mbox_writer(const std::string& path);

// Whether `path` is there with content: export refuses to write over it.
Result<bool> mbox_has_content(const std::string& path);

}  // namespace mox::mailio
