// The files of a backup (docs/DESIGN.md "Backup and restore"): message
// files go in as hard links where the file system allows, since they are
// written once and never changed (store/msgfile.h), and as copies otherwise;
// everything written is fsynced, files and the directories that got new
// entries, by sync().
//
// Files that are hard links of one another in the source (a COPY within an
// account links the file: store/messages.h) stay links of one another in
// the backup when they must be copied: each source inode is copied once.
// Not thread-safe: one BackupFiles per backup, used by one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "util/result.h"

namespace mox::store {

struct BackupStats {
  int64_t databases = 0;
  int64_t files_linked = 0;  // hard links to the source's files
  int64_t files_copied = 0;  // copies (other device, or links refused)
  int64_t bytes = 0;         // of the databases and of every file linked or copied
};

class BackupFiles {
 public:
  // How a file went in.
  enum class Put { kLinked, kCopied };

  // Makes `dir` and its missing parents (mode 0750, or `mode`) and notes
  // them for sync().
  Status mkdirs(const std::string& dir, mode_t mode = 0750);

  // Puts `src` at `dest` (its directory made as by mkdirs): a hard link,
  // or a copy with the source's mode (and owner, when run as root).
  // kNotFound when `src` does not exist; kUser when `dest` exists. Adds
  // the file to the stats.
  Result<Put> link_or_copy(const std::string& src, const std::string& dest);
  // A copy, never a link (configuration files, which are replaced by
  // rename, not changed in place, but small enough to copy).
  Status copy(const std::string& src, const std::string& dest);
  // Takes a file put in by link_or_copy() out again (a message expunged
  // while the backup ran), with its stats.
  Status remove(const std::string& dest, Put how, int64_t size);

  // A database of `size` bytes was written (db::backup_database, which
  // fsyncs it) into its directory.
  void add_database(const std::string& dest, int64_t size);

  // Fsyncs every directory that got new entries.
  Status sync();

  const BackupStats& stats() const { return stats_; }

 private:
  Status copy_file(const std::string& src, const std::string& dest, int64_t* size);
  void note_entry(const std::string& path);

  BackupStats stats_;
  std::set<std::string> made_;                             // directories made
  std::set<std::string> dirty_;                            // directories with new entries
  std::map<std::pair<dev_t, ino_t>, std::string> copied_;  // source inode → its copy
};

}  // namespace mox::store
