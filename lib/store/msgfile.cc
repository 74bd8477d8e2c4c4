#include "store/msgfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "store/msgpath.h"
#include "util/unique_fd.h"

namespace mox::store {
namespace {

constexpr size_t kCopyChunk = 1 << 20;  // per copy_file_range call
constexpr size_t kBufSize = 1 << 16;    // for the read/write fallback

Error errno_error(const std::string& what) { return os_error(what, errno); }

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write message file");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// write_all(a) then write_all(b), with writev.
Status write_two(int fd, std::string_view a, std::string_view b) {
  while (!a.empty()) {
    iovec iov[2] = {{const_cast<char*>(a.data()), a.size()},
                    {const_cast<char*>(b.data()), b.size()}};
    ssize_t n = ::writev(fd, iov, 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write message file");
    }
    size_t from_a = std::min(a.size(), static_cast<size_t>(n));
    a.remove_prefix(from_a);
    b.remove_prefix(static_cast<size_t>(n) - from_a);
  }
  return write_all(fd, b);
}

// Copies with read()/pread() and write(): for pipes, and where
// copy_file_range cannot work (different file systems, old kernels).
Result<int64_t> copy_with_buffer(int src, int64_t offset, bool positional, int dst) {
  std::vector<char> buf(kBufSize);
  int64_t total = 0;
  while (true) {
    ssize_t n = positional ? ::pread(src, buf.data(), buf.size(), offset + total)
                           : ::read(src, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read message source");
    }
    if (n == 0) return total;
    MOX_TRY(write_all(dst, std::string_view(buf.data(), static_cast<size_t>(n))));
    total += n;
  }
}

// In-kernel copy (no user-space buffer; may share extents on reflink file
// systems). Falls back to copy_with_buffer when the kernel refuses the pair.
Result<int64_t> copy_source(int src, int64_t offset, int dst) {
  struct stat st;
  if (::fstat(src, &st) != 0) return errno_error("stat message source");
  if (!S_ISREG(st.st_mode)) {
    if (offset != 0) return internal_error("message source offset on a non-regular file");
    return copy_with_buffer(src, 0, false, dst);
  }
  loff_t off = offset;
  int64_t total = 0;
  while (true) {
    ssize_t n = ::copy_file_range(src, &off, dst, nullptr, kCopyChunk, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (total == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                         errno == EOPNOTSUPP || errno == EPERM)) {
        return copy_with_buffer(src, offset, true, dst);
      }
      return errno_error("copy message source");
    }
    if (n == 0) return total;
    total += n;
  }
}

// mkdir that reports whether it created the directory.
Result<bool> make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0770) == 0) return true;
  if (errno == EEXIST) return false;
  return errno_error("mkdir " + dir);
}

// Writes and (with `sync`) fsyncs the file at `path`, created now if
// `create`, else made earlier (precreate_message_files; kNotFound if it is
// gone).
Result<int64_t> write_file(const std::string& path, std::string_view prefix,
                           const MessageSource& src, bool create, bool sync = true) {
  // O_TRUNC: a queue ID can be handed out again after a crash left its file.
  int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | (create ? O_CREAT : 0);
  UniqueFd fd(::open(path.c_str(), flags, 0660));
  if (!fd.valid()) return errno_error((create ? "create " : "open ") + path);
  int64_t copied = 0;
  if (src.data) {
    // One system call for prefix and message (small messages are spooled in memory).
    MOX_TRY(write_two(fd.get(), prefix, *src.data));
    copied = static_cast<int64_t>(src.data->size());
  } else {
    MOX_TRY(write_all(fd.get(), prefix));
    MOX_ASSIGN(copied, copy_source(src.fd, src.offset, fd.get()));
  }
  if (sync && ::fsync(fd.get()) != 0) return errno_error("fsync " + path);
  if (::close(fd.release()) != 0) return errno_error("close " + path);
  return static_cast<int64_t>(prefix.size()) + copied;
}

}  // namespace

std::string message_file_path(const std::string& account_dir, int64_t id) {
  return account_dir + "/msg/" + message_rel_path(id);
}

std::string message_dir_path(const std::string& account_dir, int64_t id) {
  std::string rel = message_rel_path(id);
  return account_dir + "/msg/" + rel.substr(0, rel.find('/'));
}

std::string message_temp_path(const std::string& account_dir, int64_t id) {
  return account_dir + "/tmp/" + std::to_string(id) + ".tmp";
}

Result<FileLock> lock_message_files(const std::string& account_dir, FileLock::Mode mode) {
  return FileLock::acquire(account_dir + "/msgfiles.lock", mode, true);
}

Status MessageDirs::ensure(const std::string& account_dir, int64_t id) {
  std::string dir = message_dir_path(account_dir, id);
  MutexLock lock(mu_);
  if (durable_.count(dir)) return {};
  // Each level is fsynced in its parent at first use in this process, also
  // when it existed: its creator may not have fsynced the parent yet.
  std::string msg = account_dir + "/msg";
  MOX_TRY(make_dir(msg));
  MOX_TRY(fsync_dir(account_dir));
  MOX_TRY(make_dir(dir));
  MOX_TRY(fsync_dir(msg));
  durable_.insert(dir);
  return {};
}

Result<int64_t> create_message_file(const std::string& account_dir, int64_t id,
                                    std::string_view prefix, const MessageSource& src,
                                    MessageDirs& dirs, bool fsync_file) {
  MOX_TRY(dirs.ensure(account_dir, id));
  std::string path = message_file_path(account_dir, id);
  auto size = write_file(path, prefix, src, true, fsync_file);
  if (!size) {
    ::unlink(path.c_str());
    return size;
  }
  crashpoint("deliver-after-write");
  return size;
}

Status precreate_message_files(const std::string& account_dir, int64_t first, int64_t n,
                               MessageDirs& dirs) {
  std::set<std::string> made_in;
  Status st;
  int64_t id = first;
  for (; id < first + n && st; ++id) {
    st = dirs.ensure(account_dir, id);
    if (!st) break;
    std::string path = message_file_path(account_dir, id);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0660));
    if (!fd.valid()) st = errno_error("create " + path);
    made_in.insert(message_dir_path(account_dir, id));
  }
  for (const auto& dir : made_in) {
    if (st) st = fsync_dir(dir);
  }
  if (!st) {
    for (int64_t i = first; i < id; ++i) ::unlink(message_file_path(account_dir, i).c_str());
  }
  return st;
}

Result<int64_t> fill_message_file(const std::string& account_dir, int64_t id,
                                  std::string_view prefix, const MessageSource& src,
                                  MessageDirs& dirs) {
  std::string path = message_file_path(account_dir, id);
  auto size = write_file(path, prefix, src, false);
  if (!size && size.error().kind == ErrorKind::kNotFound) {
    // Removed as an orphan meanwhile (check_account): the slow way.
    MOX_ASSIGN(int64_t n, create_message_file(account_dir, id, prefix, src, dirs));
    if (auto st = fsync_dir(message_dir_path(account_dir, id)); !st) {
      ::unlink(path.c_str());
      return std::move(st).error();
    }
    return n;
  }
  if (!size) {
    ::unlink(path.c_str());
    return size;
  }
  crashpoint("deliver-after-write");
  return size;
}

Result<int64_t> write_message_file(const std::string& account_dir, int64_t id,
                                   std::string_view prefix, int src_fd, int64_t src_offset) {
  MessageDirs dirs;
  MessageSource src;
  src.fd = src_fd;
  src.offset = src_offset;
  MOX_ASSIGN(int64_t size, create_message_file(account_dir, id, prefix, src, dirs));
  if (auto st = fsync_dir(message_dir_path(account_dir, id)); !st) {
    ::unlink(message_file_path(account_dir, id).c_str());
    return std::move(st).error();
  }
  return size;
}

}  // namespace mox::store
