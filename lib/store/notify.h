// Change notification between processes (docs/DESIGN.md "Shared state between
// processes"): a writer that committed a change to an account calls
// notify_account_change(); an IMAP session in another process waits on a
// ChangeWatcher and re-reads the account (e.g. for IDLE) when woken.
//
// The notification point is the file ACCOUNT/changes. Each write puts a new
// 16-byte token at its start (the file never grows); readers only care that
// it changed. Account removal renames the account directory away (and later
// deletes it), which watchers see as kRemoved.
//
// A process has one ChangeNotifier, shared by all its sessions: one inotify
// instance (inotify(7)) with one pair of watches per account, whoever many
// sessions wait on it, and one thread that reads the events and wakes the
// ChangeWatchers of the account through their eventfd(2). The kernel limits
// inotify instances per user (fs.inotify.max_user_instances, 128 by default)
// and watches per user (fs.inotify.max_user_watches); when inotify_init1(2)
// or inotify_add_watch(2) fails, the notifier falls back to reading the
// account's change marker every poll_interval, and says so in one log line
// (at most one per log_interval).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace mox::store {

std::string changes_path(const std::string& account_dir);

// Writes a new token to ACCOUNT/changes (creating it), which wakes every
// ChangeWatcher of the account. Not fsynced: a notification has no use after
// a crash. Call it after the change is committed, never before. kNotFound
// when the account directory is gone.
Status notify_account_change(const std::string& account_dir);

// The inotify system calls, which a test replaces (e.g. to make inotify
// unavailable). Each returns what the system call does: -1 with errno set on
// failure. An empty member means the real system call; init must return a
// non-blocking, close-on-exec descriptor.
struct InotifyApi {
  std::function<int()> init;
  std::function<int(int fd, const std::string& path, uint32_t mask)> add_watch;
  std::function<int(int fd, int wd)> rm_watch;
};

class ChangeNotifier;
struct NotifierCore;
struct WatchedAccount;

// One session's watch of one account, made by ChangeNotifier::watch(). Create
// the watcher before reading the state it guards, so that no change can fall
// between the read and the watch. Move-only; not thread-safe (one owner
// polls it). May outlive its ChangeNotifier (it is then never woken again).
// A moved-from watcher may only be assigned to or destroyed.
class ChangeWatcher {
 public:
  enum class Event {
    kNone,     // nothing happened since the last drain()
    kChanged,  // a writer committed something: re-read the account
    kRemoved,  // the account directory was renamed away or deleted
  };

  ChangeWatcher(ChangeWatcher&&) noexcept = default;
  ChangeWatcher& operator=(ChangeWatcher&& o) noexcept;
  ~ChangeWatcher();

  // A non-blocking eventfd: poll it for POLLIN, then call drain().
  int fd() const { return fd_.get(); }
  // Consumes the pending wake-ups without blocking and sums them up:
  // kRemoved wins over kChanged, and once removed, every later drain() says
  // kRemoved.
  Result<Event> drain();
  // Waits up to `timeout_ms` (-1: forever) for an event, then drains.
  // Returns early (after draining) when a signal interrupts the wait, so a
  // caller's signal handler can end its loop.
  Result<Event> wait(int timeout_ms);

 private:
  friend class ChangeNotifier;
  ChangeWatcher(std::shared_ptr<NotifierCore> core, std::shared_ptr<WatchedAccount> account,
                UniqueFd fd);
  void release();

  std::shared_ptr<NotifierCore> core_;
  std::shared_ptr<WatchedAccount> account_;
  UniqueFd fd_;
};

// The per-process source of ChangeWatchers. Thread-safe. The inotify
// instance and the thread are made at the first watch(). Descriptors: one
// inotify instance and one eventfd for the notifier, one eventfd per
// ChangeWatcher.
class ChangeNotifier {
 public:
  struct Options {
    InotifyApi inotify;
    // How often a polled account's change marker is read (no inotify).
    std::chrono::milliseconds poll_interval{300};
    // At most one "falling back to polling" line per this interval; the
    // next line counts the fallbacks it left out.
    std::chrono::milliseconds log_interval{std::chrono::minutes(1)};
    // Where that line goes; empty: stderr.
    std::function<void(const std::string&)> log;
  };

  explicit ChangeNotifier(Options o);
  ChangeNotifier() : ChangeNotifier(Options{}) {}
  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;
  // Stops the thread. Watchers still alive are not woken any more.
  ~ChangeNotifier();

  // Watches `account_dir` (creating its changes file). kNotFound when the
  // directory does not exist. Watch an account under one spelling of its
  // path: the accounts are told apart by it.
  Result<ChangeWatcher> watch(const std::string& account_dir);

  struct Stats {
    bool inotify = false;  // the inotify instance exists
    int accounts = 0;      // accounts watched, with inotify or polled
    int polled = 0;        // of those, polled
    int watchers = 0;      // ChangeWatchers alive
  };
  Stats stats() const;

 private:
  std::shared_ptr<NotifierCore> core_;
};

}  // namespace mox::store
