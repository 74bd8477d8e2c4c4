// The change marker of an account as a poller sees it (store/notify.h, when
// inotify is unavailable). Internal to lib/store.
#pragma once

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "util/result.h"

namespace mox::store {

// `what: strerror(errno)`; kNotFound when a path is missing (ENOENT, ENOTDIR).
inline Error notify_errno_error(const std::string& what) {
  int e = errno;
  return {e == ENOENT || e == ENOTDIR ? ErrorKind::kNotFound : ErrorKind::kInternal,
          what + ": " + std::strerror(e)};
}

// What a write to ACCOUNT/changes alters: the token at its start
// (notify_account_change), and its times (a writer that rewrites the same
// bytes, `touch changes`). A new inode means a new file.
struct ChangeMarker {
  uint64_t ino = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  std::array<char, 16> token{};
  bool operator==(const ChangeMarker&) const = default;
};

// Reads the marker of `account_dir`: kNotFound when the file or the
// directory is gone (removed, or renamed away).
Result<ChangeMarker> read_change_marker(const std::string& account_dir);

}  // namespace mox::store
