#include "store/notify.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "store/notify_internal.h"

namespace mox::store {
namespace {

int64_t ns(const struct timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

// A token no other write has made: the time in nanoseconds and the writing
// thread. Two writes of one thread are further apart than a nanosecond.
std::array<char, 16> new_token() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  int64_t now = ns(t);
  int64_t tid = ::gettid();
  std::array<char, 16> out{};
  std::memcpy(out.data(), &now, sizeof now);
  std::memcpy(out.data() + 8, &tid, sizeof tid);
  return out;
}

}  // namespace

std::string changes_path(const std::string& account_dir) { return account_dir + "/changes"; }

Status notify_account_change(const std::string& account_dir) {
  std::string path = changes_path(account_dir);
  // No O_CREAT of the directory: a removed account stays removed.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660));
  if (!fd.valid()) return notify_errno_error("open " + path);
  // Always at offset 0: the file never grows. inotify watchers see the write
  // (IN_MODIFY); pollers see the new token.
  auto token = new_token();
  while (::pwrite(fd.get(), token.data(), token.size(), 0) < 0) {
    if (errno != EINTR) return notify_errno_error("write " + path);
  }
  return {};
}

Result<ChangeMarker> read_change_marker(const std::string& account_dir) {
  std::string path = changes_path(account_dir);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return notify_errno_error("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return notify_errno_error("stat " + path);
  ChangeMarker m;
  m.ino = st.st_ino;
  m.size = st.st_size;
  m.mtime_ns = ns(st.st_mtim);
  m.ctime_ns = ns(st.st_ctim);
  while (::pread(fd.get(), m.token.data(), m.token.size(), 0) < 0) {
    if (errno != EINTR) return notify_errno_error("read " + path);
  }
  return m;
}

}  // namespace mox::store
