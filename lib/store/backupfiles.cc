#include "store/backupfiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::store {
namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Copies the bytes of `in` to `out`: copy_file_range where the kernel can,
// read and write otherwise.
Status copy_bytes(int in, int out, const std::string& src) {
  bool plain = false;
  std::vector<char> buf;
  while (true) {
    ssize_t n = 0;
    if (!plain) {
      n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        plain = true;
        buf.resize(1 << 16);
        continue;
      }
    } else {
      n = ::read(in, buf.data(), buf.size());
      for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
        if (w < 0 && errno != EINTR) return os_error("write copy of " + src, errno);
        if (w > 0) done += w;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("copy " + src, errno);
    if (n == 0) return {};
  }
}

}  // namespace

void BackupFiles::note_entry(const std::string& path) { dirty_.insert(parent_of(path)); }

Status BackupFiles::mkdirs(const std::string& dir, mode_t mode) {
  if (dir.empty() || made_.count(dir)) return {};
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    made_.insert(dir);
    return {};
  }
  MOX_TRY(mkdirs(parent_of(dir), mode));
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return os_error("mkdir " + dir, errno);
  made_.insert(dir);
  note_entry(dir);
  return {};
}

Status BackupFiles::copy_file(const std::string& src, const std::string& dest, int64_t* size) {
  UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return os_error("open " + src, errno);
  struct stat st;
  if (::fstat(in.get(), &st) != 0) return os_error("stat " + src, errno);
  UniqueFd out(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
  if (!out.valid()) {
    if (errno == EEXIST) return user_error(dest + " exists");
    return os_error("create " + dest, errno);
  }
  Status st2 = copy_bytes(in.get(), out.get(), src);
  if (st2 && ::fchmod(out.get(), st.st_mode & 07777) != 0) st2 = os_error("chmod " + dest, errno);
  // As root the copy keeps the source's owner (the servers' User); as
  // anyone else it is the backup's user's.
  if (st2 && ::geteuid() == 0 && ::fchown(out.get(), st.st_uid, st.st_gid) != 0) {
    st2 = os_error("chown " + dest, errno);
  }
  if (st2 && ::fsync(out.get()) != 0) st2 = os_error("fsync " + dest, errno);
  if (!st2) {
    ::unlink(dest.c_str());
    return st2;
  }
  *size = st.st_size;
  note_entry(dest);
  return {};
}

Status BackupFiles::copy(const std::string& src, const std::string& dest) {
  MOX_TRY(mkdirs(parent_of(dest)));
  int64_t size = 0;
  MOX_TRY(copy_file(src, dest, &size));
  ++stats_.files_copied;
  stats_.bytes += size;
  return {};
}

Result<BackupFiles::Put> BackupFiles::link_or_copy(const std::string& src,
                                                   const std::string& dest) {
  struct stat st;
  if (::lstat(src.c_str(), &st) != 0) return os_error("stat " + src, errno);
  MOX_TRY(mkdirs(parent_of(dest)));
  if (::link(src.c_str(), dest.c_str()) == 0) {
    note_entry(dest);
    ++stats_.files_linked;
    stats_.bytes += st.st_size;
    return Put::kLinked;
  }
  int err = errno;
  if (err == EEXIST) return user_error(dest + " exists");
  if (err == ENOENT) return os_error("link " + src, err);  // gone meanwhile
  // EXDEV: another file system; EPERM: links refused (fs.protected_hardlinks
  // for a file of another user, or a file system without them); EMLINK.
  if (err != EXDEV && err != EPERM && err != EMLINK) return os_error("link " + src, err);
  auto key = std::pair{st.st_dev, st.st_ino};
  auto it = copied_.find(key);
  if (it == copied_.end() || ::link(it->second.c_str(), dest.c_str()) != 0) {
    int64_t size = 0;
    MOX_TRY(copy_file(src, dest, &size));
    copied_[key] = dest;
  } else {
    note_entry(dest);
  }
  ++stats_.files_copied;
  stats_.bytes += st.st_size;
  return Put::kCopied;
}

Status BackupFiles::remove(const std::string& dest, Put how, int64_t size) {
  if (::unlink(dest.c_str()) != 0 && errno != ENOENT) return os_error("remove " + dest, errno);
  note_entry(dest);
  --(how == Put::kLinked ? stats_.files_linked : stats_.files_copied);
  stats_.bytes -= size;
  return {};
}

void BackupFiles::add_database(const std::string& dest, int64_t size) {
  ++stats_.databases;
  stats_.bytes += size;
  note_entry(dest);
}

Status BackupFiles::sync() {
  for (const auto& d : dirty_) MOX_TRY(fsync_dir(d));
  dirty_.clear();
  return {};
}

}  // namespace mox::store
