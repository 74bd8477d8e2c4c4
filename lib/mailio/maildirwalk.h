// Walking Maildirs for import (maildir(5) of qmail; Maildir++ of Courier
// and Dovecot). A maildir is a directory with cur/ or new/ (tmp/ is not
// read: messages being delivered). Its messages are the files of cur/ and
// new/ whose names do not start with '.'; a message in new/ has no flags
// (not even \Seen: not yet seen by a client), one in cur/ the flags of its
// name's info part with Dovecot's keywords from the maildir's
// "dovecot-keywords" (mailio/maildirname.h). The INTERNALDATE is the time
// the name starts with, or the file's mtime when it has none.
//
// With `recursive`, the sub-maildirs are found too:
// - Maildir++ folders: directories ".A.B" directly in the top maildir are
//   the mailbox levels {"A", "B"} (names as written: Dovecot writes them in
//   modified UTF-7, RFC 3501 §5.1.3, which the caller decodes);
// - nested directories that are maildirs themselves (A/B/{cur,new}, the
//   layout mox-config export writes and Dovecot's LAYOUT=fs): levels
//   {"A", "B"}; directories between that are no maildir are walked through.
// cur/, new/ and tmp/ are never taken as folders, nor, below the top, names
// that start with '.'.
//
// Memory: a listing holds the file names (about 100 bytes a message), not
// the messages; read_maildir_message() reads one message at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mailio/maildirname.h"
#include "util/result.h"

namespace mox::mailio {

struct MaildirFile {
  std::string name;  // in cur/ or new/
  bool is_new = false;
  int64_t name_time = 0;  // the time the name starts with, 0: none
};

struct MaildirFolder {
  std::string path;                 // the maildir directory
  std::vector<std::string> levels;  // mailbox levels below the import's ({}: the top)
  bool maildirpp = false;           // a Maildir++ ".A.B" folder
  DovecotKeywords keywords;
  std::vector<MaildirFile> files;  // by name_time, then name
};

// Whether `dir` has a cur/ or new/ directory.
bool is_maildir(const std::string& dir);

// The maildir at `path` (if it is one) and, with `recursive`, the
// sub-maildirs, in name order. Errors name the directory: not a maildir
// (without `recursive`), no maildir at all (with it), unreadable.
Result<std::vector<MaildirFolder>> walk_maildir(const std::string& path, bool recursive);

struct MaildirMessage {
  std::string data;                // CRLF line ends
  std::vector<std::string> flags;  // IMAP flag names and keywords
  int64_t received = 0;            // INTERNALDATE
};

// The path of `f` in `folder`.
std::string maildir_file_path(const MaildirFolder& folder, const MaildirFile& f);

// Reads the message of `f`. Errors (kSyntax, or the I/O error) name the
// file: unreadable, not a regular file, not a mail message (empty, or its
// first line no header field). With `check_only` only the first 64 KiB are
// read and `data` stays empty: the first pass of an import.
Result<MaildirMessage> read_maildir_message(const MaildirFolder& folder, const MaildirFile& f,
                                            bool check_only = false);

}  // namespace mox::mailio
