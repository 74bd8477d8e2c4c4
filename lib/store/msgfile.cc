#include "store/msgfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "store/msgpath.h"
#include "util/unique_fd.h"

namespace mox::store {
namespace {

constexpr size_t kCopyChunk = 1 << 20;  // per copy_file_range call
constexpr size_t kBufSize = 1 << 16;    // for the read/write fallback

Error errno_error(const std::string& what) {
  int e = errno;
  return {e == ENOENT ? ErrorKind::kNotFound : ErrorKind::kInternal,
          what + ": " + std::strerror(e)};
}

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

// Makes ACCOUNT/msg/<dir> exist durably. The parent is fsynced even when the
// directory existed: another process may have created it a moment ago and
// not fsynced its parent yet. fsync of a clean directory costs next to nothing.
Status ensure_message_dir(const std::string& account_dir, const std::string& sub) {
  std::string msg = account_dir + "/msg";
  MOX_ASSIGN(bool made_msg, make_dir(msg));
  if (made_msg) MOX_TRY(fsync_dir(account_dir));
  MOX_TRY(make_dir(msg + "/" + sub));
  return fsync_dir(msg);
}

Result<int64_t> write_temp(const std::string& tmp, std::string_view prefix, int src,
                           int64_t src_offset) {
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660));
  if (!fd.valid()) return errno_error("create " + tmp);
  MOX_TRY(write_all(fd.get(), prefix));
  MOX_ASSIGN(int64_t copied, copy_source(src, src_offset, fd.get()));
  if (::fsync(fd.get()) != 0) return errno_error("fsync " + tmp);
  if (::close(fd.release()) != 0) return errno_error("close " + tmp);
  return static_cast<int64_t>(prefix.size()) + copied;
}

}  // namespace

std::string message_file_path(const std::string& account_dir, int64_t id) {
  return account_dir + "/msg/" + message_rel_path(id);
}

std::string message_temp_path(const std::string& account_dir, int64_t id) {
  return account_dir + "/tmp/" + std::to_string(id) + ".tmp";
}

Result<FileLock> lock_message_files(const std::string& account_dir, FileLock::Mode mode) {
  return FileLock::acquire(account_dir + "/msgfiles.lock", mode, true);
}

Result<int64_t> write_message_file(const std::string& account_dir, int64_t id,
                                   std::string_view prefix, int src_fd, int64_t src_offset) {
  // The temp file need not be durable by name: only the final name must be,
  // and the fsync of msg/<dir> after the rename makes it so.
  MOX_TRY(make_dir(account_dir + "/tmp"));
  std::string tmp = message_temp_path(account_dir, id);
  auto size = write_temp(tmp, prefix, src_fd, src_offset);
  if (!size) {
    ::unlink(tmp.c_str());
    return size;
  }
  crashpoint("deliver-after-tempfile");
  std::string rel = message_rel_path(id);
  std::string sub = rel.substr(0, rel.find('/'));
  std::string path = account_dir + "/msg/" + rel;
  Status st = ensure_message_dir(account_dir, sub);
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = errno_error("rename to " + path);
  if (!st) {
    ::unlink(tmp.c_str());
    return std::move(st).error();
  }
  crashpoint("deliver-after-rename");
  if (auto s = fsync_dir(account_dir + "/msg/" + sub); !s) {
    ::unlink(path.c_str());
    return std::move(s).error();
  }
  return size;
}

}  // namespace mox::store
