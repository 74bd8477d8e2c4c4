#include "util/fs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace mox {

Error os_error(const std::string& what, int err) {
  ErrorKind k = ErrorKind::kInternal;
  switch (err) {
    case ENOENT:
      k = ErrorKind::kNotFound;
      break;
    case ENOSPC:
    case EDQUOT:
      k = ErrorKind::kNoSpace;
      break;
    case ETIMEDOUT:
      k = ErrorKind::kTimeout;
      break;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      k = ErrorKind::kTemporary;
      break;
    default:
      break;
  }
  return {k, what + ": " + std::strerror(err)};
}

namespace {

Error errno_error(const std::string& what) { return os_error(what, errno); }

}  // namespace

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("open " + path);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = errno_error("read " + path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("open directory " + dir);
  int r = ::fsync(fd);
  ::close(fd);
  if (r != 0) return errno_error("fsync directory " + dir);
  return {};
}

Status write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  std::filesystem::path p(path);
  std::string dir = p.parent_path().string();
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("create " + tmp);
  Status st = write_all(fd, data, tmp);
  if (st && ::fchmod(fd, mode) != 0) st = errno_error("chmod " + tmp);
  if (st && ::fsync(fd) != 0) st = errno_error("fsync " + tmp);
  ::close(fd);
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = errno_error("rename " + tmp);
  if (!st) {
    ::unlink(tmp.c_str());
    return st;
  }
  return fsync_dir(dir);
}

Status mkdir_all(const std::string& dir, mode_t mode) {
  // Mostly the directory exists already: one call instead of one per level.
  if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST) return {};
  std::error_code ec;
  std::filesystem::path p(dir);
  std::filesystem::path cur;
  for (const auto& part : p) {
    cur /= part;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST)
      return errno_error("mkdir " + cur.string());
  }
  return {};
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Result<FileLock> FileLock::acquire(const std::string& path, Mode mode, bool wait) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0660);
  if (fd < 0) return errno_error("open lock " + path);
  int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) return temporary_error("lock " + path + " is held");
    errno = e;
    return errno_error("flock " + path);
  }
  return FileLock(fd);
}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {
// Set once at start-up, before threads start (util/fs.h).
CrashHook& crash_hook() {
  static CrashHook hook;
  return hook;
}
}  // namespace

void set_crash_hook(CrashHook hook) { crash_hook() = std::move(hook); }

CrashHook kill_at(std::string point) {
  return [point = std::move(point)](std::string_view name) {
    if (name == point) ::kill(::getpid(), SIGKILL);
  };
}

void crashpoint(std::string_view name) {
  if (const CrashHook& hook = crash_hook()) hook(name);
}

}  // namespace mox
