#include "store/notify.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mox::store {
namespace {

Error errno_error(const std::string& what) {
  int e = errno;
  return {e == ENOENT ? ErrorKind::kNotFound : ErrorKind::kInternal,
          what + ": " + std::strerror(e)};
}

// Writes to the file (IN_MODIFY) or touches it by hand (IN_ATTRIB, e.g.
// `touch changes`); its removal or a rename of the directory ends the account.
constexpr uint32_t kFileMask =
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr uint32_t kDirMask = IN_ONLYDIR | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr uint32_t kGoneMask = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;

}  // namespace

std::string changes_path(const std::string& account_dir) { return account_dir + "/changes"; }

Status notify_account_change(const std::string& account_dir) {
  std::string path = changes_path(account_dir);
  // No O_CREAT of the directory: a removed account stays removed.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660));
  if (!fd.valid()) return errno_error("open " + path);
  // Always the same byte at offset 0: the file never grows.
  while (::pwrite(fd.get(), "x", 1, 0) < 0) {
    if (errno != EINTR) return errno_error("write " + path);
  }
  return {};
}

Result<ChangeWatcher> ChangeWatcher::open(const std::string& account_dir) {
  std::string path = changes_path(account_dir);
  {
    UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660));
    if (!f.valid()) return errno_error("open " + path);
  }
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd.valid()) return errno_error("inotify_init1");
  int file_wd = ::inotify_add_watch(fd.get(), path.c_str(), kFileMask);
  if (file_wd < 0) return errno_error("inotify_add_watch " + path);
  int dir_wd = ::inotify_add_watch(fd.get(), account_dir.c_str(), kDirMask);
  if (dir_wd < 0) return errno_error("inotify_add_watch " + account_dir);
  return ChangeWatcher(std::move(fd), file_wd, dir_wd);
}

Result<ChangeWatcher::Event> ChangeWatcher::drain() {
  bool changed = false;
  alignas(struct inotify_event) char buf[4096];
  while (true) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return errno_error("read inotify");
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        changed = true;  // events were lost: assume the worst that is not removal
      } else if ((ev->wd == dir_wd_ || ev->wd == file_wd_) && (ev->mask & kGoneMask)) {
        removed_ = true;
      } else {
        changed = true;
      }
    }
  }
  if (removed_) return Event::kRemoved;
  return changed ? Event::kChanged : Event::kNone;
}

Result<ChangeWatcher::Event> ChangeWatcher::wait(int timeout_ms) {
  if (removed_) return Event::kRemoved;
  struct pollfd p = {fd_.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) < 0 && errno != EINTR) return errno_error("poll inotify");
  return drain();
}

}  // namespace mox::store
