// Message files of an account (and of the queue): written once, durably,
// never changed. Layout: ACCOUNT/msg/<dir>/<id> (store/msgpath.h).
//
// A file is written directly under its final name: until its row is
// committed nothing refers to it, so a crash while writing leaves an orphan
// that check_account() removes, as a crash after the write does. Before the
// row is committed, the file is fsynced and so is its directory (the entry);
// nothing else needs to be: no temp file, no rename, no second directory.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "util/fs.h"
#include "util/mutex.h"
#include "util/result.h"

namespace mox::store {

std::string message_file_path(const std::string& account_dir, int64_t id);
// ACCOUNT/msg/<dir>, the directory message `id` goes in.
std::string message_dir_path(const std::string& account_dir, int64_t id);
// Where older versions wrote files before renaming them into place; only
// check_account() still looks there (stale files after a crash).
std::string message_temp_path(const std::string& account_dir, int64_t id);

// Writers of message files hold ACCOUNT/msgfiles.lock shared from reserving a
// message ID until its row is committed (or the file removed); check_account
// holds it exclusively, so it never mistakes a file in flight for an orphan.
Result<FileLock> lock_message_files(const std::string& account_dir, FileLock::Mode mode);

// The bytes of a message: `data` when set, else the file `fd` from `offset`
// to end of file (read with pread/copy_file_range: the fd's offset is not used
// for regular files; other fds, e.g. pipes, are read to EOF and need offset 0).
struct MessageSource {
  std::optional<std::string_view> data;
  int fd = -1;
  int64_t offset = 0;
};

// The msg/<dir> directories that this process has made durable (created,
// then its parent fsynced). A directory another process created may not be
// durable yet, so the first use in a process fsyncs the parent even when the
// directory existed; later uses cost nothing. Thread-safe. A MessageDirs
// belongs to one account directory as long as it is not removed (hold the
// account's lock).
class MessageDirs {
 public:
  Status ensure(const std::string& account_dir, int64_t id) EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::set<std::string> durable_ GUARDED_BY(mu_);
};

// Writes `prefix` followed by the message to message_file_path(id) (making
// its directory durable through `dirs`) and fsyncs the file. The directory
// entry is not fsynced yet: fsync message_dir_path(id) before committing the
// row. Never holds a file source in memory. Returns the file size. The caller
// owns `id` (reserved, never used before). Crash point "deliver-after-write"
// (file durable, its directory entry not yet). With !fsync_file the file is
// not fsynced: the caller makes it durable before its row is committed
// (store/import.h: syncfs(2) once for a batch of files).
Result<int64_t> create_message_file(const std::string& account_dir, int64_t id,
                                    std::string_view prefix, const MessageSource& src,
                                    MessageDirs& dirs, bool fsync_file = true);

// Creates the empty files of IDs [first, first + n) and fsyncs their
// directories once: a writer that fills one later (fill_message_file) need
// not fsync the directory itself. That saves a directory fsync per message
// for a process that delivers many. Until filled and committed they are
// orphans like those a crash leaves (check_account removes them); the caller
// removes the ones it does not use. On error none is left.
Status precreate_message_files(const std::string& account_dir, int64_t first, int64_t n,
                               MessageDirs& dirs);

// create_message_file() for a file precreate_message_files() made: written,
// fsynced, and durable by name when this returns. If the file is gone
// (removed as an orphan), it is created and its directory fsynced.
Result<int64_t> fill_message_file(const std::string& account_dir, int64_t id,
                                  std::string_view prefix, const MessageSource& src,
                                  MessageDirs& dirs);

// create_message_file() and the fsync of the directory: the file is durable
// by name when this returns. On error nothing is left behind.
Result<int64_t> write_message_file(const std::string& account_dir, int64_t id,
                                   std::string_view prefix, int src_fd, int64_t src_offset);

}  // namespace mox::store
