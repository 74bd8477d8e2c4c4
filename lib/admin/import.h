// mox-config import (mox-config(8) "import"; docs/DESIGN.md "Import and
// export"): messages of a Maildir or an mbox file into one account.
//
// Two passes. The first reads the whole input without touching the
// account: every message must be readable and look like a message (a
// header field first), an mbox must start with "From " and not be cut
// short (mailio/mboxread.h, mailio/maildirwalk.h), and every mailbox name
// must be valid; bad input is refused then, naming the file and the line
// and byte offset, and the account is unchanged. It also counts the
// messages, for progress. The second pass stores them in batches
// (store/import.h); if it fails midway (disk full, quota, I/O), the
// messages it added are removed again (store/import.h undo()), so an
// import is all or nothing (but for a crash: store/import.h; a message
// that its mailbox held already, by size, INTERNALDATE and Message-ID, is
// skipped, so a second run after a crash completes the first). Standard
// input ("-" as an mbox) cannot be read twice: it is checked while it is
// imported, and a bad message undoes what came before it.
//
// Run as root with a non-root User in mox.conf, the account's files are
// made as that user (setfsuid(2), setfsgid(2) while the store is written;
// the input is opened as root), so the servers can use them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace mox::admin {

struct ImportOptions {
  bool recursive = false;  // maildir: sub-maildirs as child mailboxes
  // Called after each message stored: how many so far, of how many (0:
  // unknown, standard input).
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ImportSummary {
  int64_t messages = 0;
  int64_t skipped = 0;                 // in their mailbox already (store/import.h skip_existing)
  std::vector<std::string> mailboxes;  // messages were stored in, normalized
  double seconds = 0;
  // Flag names the store cannot keep (no IMAP atom), left out.
  std::vector<std::string> dropped_flags;
};

// PATH a Maildir; MAILBOX the mailbox for its messages, and with
// `recursive` the parent of its sub-maildirs' mailboxes. MAILBOX "" (only
// with `recursive`): the sub-maildirs go to the top level, PATH's own
// messages to Inbox.
Result<ImportSummary> import_maildir(const config::Config& c, const std::string& account,
                                     const std::string& mailbox, const std::string& path,
                                     const ImportOptions& o);

// PATH an mbox file, plain, gzip or zstd (mailio/source.h), "-" for
// standard input.
Result<ImportSummary> import_mbox(const config::Config& c, const std::string& account,
                                  const std::string& mailbox, const std::string& path,
                                  const ImportOptions& o);

}  // namespace mox::admin
