// Message files of an account: written once, durably, never changed.
// Layout: ACCOUNT/msg/<dir>/<id> (store/msgpath.h); files being written live
// in ACCOUNT/tmp/<id>.tmp until renamed into place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/fs.h"
#include "util/result.h"

namespace mox::store {

std::string message_file_path(const std::string& account_dir, int64_t id);
std::string message_temp_path(const std::string& account_dir, int64_t id);

// Writers of message files hold ACCOUNT/msgfiles.lock shared from reserving a
// message ID until its row is committed (or the file removed); check_account
// holds it exclusively, so it never mistakes a file in flight for an orphan.
Result<FileLock> lock_message_files(const std::string& account_dir, FileLock::Mode mode);

// Writes `prefix` followed by the bytes of `src_fd` from `src_offset` to end
// of file (read with pread/copy_file_range: the fd's offset is not used for
// regular files; other fds, e.g. pipes, are read to EOF and need offset 0)
// into the temp file, fsyncs it, renames it to message_file_path(id) and
// fsyncs the directories, so that the file is durable when this returns.
// Never holds the message in memory. Returns the file size. The caller owns
// `id` (reserved, never used before). Crash points: "deliver-after-tempfile"
// (temp file durable, not renamed), "deliver-after-rename" (renamed, directory
// not yet fsynced).
Result<int64_t> write_message_file(const std::string& account_dir, int64_t id,
                                   std::string_view prefix, int src_fd, int64_t src_offset);

}  // namespace mox::store
