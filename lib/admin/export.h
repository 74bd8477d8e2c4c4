// mox-config export (mox-config(8) "export"): an account's mailboxes written
// as Maildirs or mbox files, from one consistent snapshot of the account
// (store/export.h), in the formats of mailio/maildirwrite.h and
// mailio/mboxwrite.h (docs/DESIGN.md "Import and export").
//
// What export promises: every message written is whole and as stored
// (mailio/msgbytes.h for line ends); the set written is the account as of
// the moment the export began, less the messages expunged before their
// files were read; nothing is written into a mailbox target that has
// content (checked for every target before anything is written); and when
// it returns success the files and directories written are on disk (the
// file system of DIR is synced, syncfs(2)). Memory is bounded: messages are
// read from the snapshot 1,000 rows at a time and a message's bytes a chunk
// at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace mox::admin {

enum class ExportFormat { kMaildir, kMbox };

struct ExportRequest {
  ExportFormat format = ExportFormat::kMaildir;
  std::string account;
  std::string dir;                     // made if missing
  std::vector<std::string> mailboxes;  // the mailboxes to export; empty: all
  // Called after each message: messages written so far, and the total in
  // the snapshot.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ExportSummary {
  int64_t messages = 0, mailboxes = 0;
  int64_t bytes = 0;     // written into message files (mbox: with the From lines)
  int64_t expunged = 0;  // in the snapshot, expunged before their files were read
  std::vector<std::string> warnings;
};

// Errors: kNotFound (no such account or mailbox), kUser (a target with
// content, a mailbox name that cannot be a path), others from I/O.
Result<ExportSummary> export_account(const config::Config& c, const ExportRequest& r);

}  // namespace mox::admin
