// File system helpers with durable writes and advisory locks.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox {

Result<std::string> read_file(const std::string& path);
// Writes `data` to a temp file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory: readers see the old or the new file whole.
Status write_file_atomic(const std::string& path, std::string_view data, mode_t mode);
Status fsync_dir(const std::string& dir);
// Writes all of `data` to `fd` (retrying short writes and EINTR); errors name
// `path`.
Status write_all(int fd, std::string_view data, const std::string& path);
Status mkdir_all(const std::string& dir, mode_t mode);
bool path_exists(const std::string& path);

// RAII flock(2). Shared or exclusive; blocking or not.
class FileLock {
 public:
  enum class Mode { kShared, kExclusive };
  // Creates the lock file if needed. With wait=false, a held lock gives a
  // kTemporary error.
  static Result<FileLock> acquire(const std::string& path, Mode mode, bool wait);
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  void release();
  int fd() const { return fd_; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Fault injection for crash-safety tests (docs/DESIGN.md "Testing"): the
// durable writes call crashpoint("name") at the points where a crash must
// leave consistent files. It calls the crash hook the program installed, if
// any; no hook (the default) does nothing. A program installs one at start-up,
// before it starts threads; cmd/ installs kill_at() of the point MOX_CRASHPOINT
// names.
using CrashHook = std::function<void(std::string_view point)>;
void set_crash_hook(CrashHook hook);  // an empty hook removes it
// A hook that kills the process with SIGKILL at `point`, as a power cut would.
CrashHook kill_at(std::string point);
void crashpoint(std::string_view name);

}  // namespace mox
