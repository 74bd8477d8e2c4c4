// Change notification between processes (SPEC A.3): a writer that committed
// a change to an account calls notify_account_change(); an IMAP session in
// another process waits on a ChangeWatcher and re-reads the account (e.g. for
// IDLE) when woken. Nothing is polled: the kernel's inotify wakes the waiter
// as soon as the writer has written.
//
// The notification point is the file ACCOUNT/changes. Its content means
// nothing; only the write matters. Account removal renames the account
// directory away (and later deletes it), which watchers see as kRemoved.
#pragma once

#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace mox::store {

std::string changes_path(const std::string& account_dir);

// Writes one byte to ACCOUNT/changes (creating it), which wakes every
// ChangeWatcher of the account. Not fsynced: a notification has no use after
// a crash. Call it after the change is committed, never before. kNotFound
// when the account directory is gone.
Status notify_account_change(const std::string& account_dir);

// Watches one account. Create the watcher before reading the state it guards,
// so that no change can fall between the read and the watch. Move-only; not
// thread-safe (one owner polls it).
class ChangeWatcher {
 public:
  enum class Event {
    kNone,     // nothing happened since the last drain()
    kChanged,  // a writer committed something: re-read the account
    kRemoved,  // the account directory was renamed away or deleted
  };

  static Result<ChangeWatcher> open(const std::string& account_dir);

  // A non-blocking inotify fd: poll it for POLLIN, then call drain().
  int fd() const { return fd_.get(); }
  // Consumes all queued events without blocking and sums them up: kRemoved
  // wins over kChanged, and once removed, every later drain() says kRemoved.
  Result<Event> drain();
  // Waits up to `timeout_ms` (-1: forever) for an event, then drains.
  // Returns early (after draining) when a signal interrupts the wait, so a
  // caller's signal handler can end its loop.
  Result<Event> wait(int timeout_ms);

 private:
  ChangeWatcher(UniqueFd fd, int file_wd, int dir_wd)
      : fd_(std::move(fd)), file_wd_(file_wd), dir_wd_(dir_wd) {}
  UniqueFd fd_;
  int file_wd_ = -1;
  int dir_wd_ = -1;
  bool removed_ = false;
};

}  // namespace mox::store
