// ChangeNotifier and ChangeWatcher (store/notify.h): one inotify instance and
// one thread per process, a pair of watches per account, an eventfd per
// watcher; polling of the change marker where inotify is unavailable.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "log/log.h"
#include "store/notify.h"
#include "store/notify_internal.h"
#include "util/mutex.h"

namespace mox::store {
namespace {

using Clock = std::chrono::steady_clock;

// Writes to the file (IN_MODIFY) or touches it by hand (IN_ATTRIB, e.g.
// `touch changes`); its removal or a rename of the directory ends the account.
// Not IN_CLOSE_WRITE: it follows every write, and would wake every session a
// second time for nothing.
constexpr uint32_t kFileMask = IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr uint32_t kDirMask = IN_ONLYDIR | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr uint32_t kGoneMask = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;

InotifyApi with_system_calls(InotifyApi api) {
  if (!api.init) api.init = [] { return ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC); };
  if (!api.add_watch) {
    api.add_watch = [](int fd, const std::string& path, uint32_t mask) {
      return ::inotify_add_watch(fd, path.c_str(), mask);
    };
  }
  if (!api.rm_watch) api.rm_watch = [](int fd, int wd) { return ::inotify_rm_watch(fd, wd); };
  return api;
}

void signal_fd(int efd) {
  uint64_t one = 1;
  (void)!::write(efd, &one, sizeof one);  // EAGAIN: the counter is full, so already signalled
}

// Reads an eventfd's counter (resetting it); true if it was signalled.
Result<bool> consume_fd(int efd) {
  uint64_t v = 0;
  while (::read(efd, &v, sizeof v) < 0) {
    if (errno == EAGAIN) return false;
    if (errno != EINTR) return notify_errno_error("read eventfd");
  }
  return true;
}

}  // namespace

// One account watched by one or more ChangeWatchers. All but `dir` and
// `removed` are guarded by NotifierCore::mu.
struct WatchedAccount {
  explicit WatchedAccount(std::string d) : dir(std::move(d)) {}
  const std::string dir;
  std::atomic<bool> removed{false};  // set before the waiters are signalled
  int file_wd = -1, dir_wd = -1;     // inotify watches; -1 when polled
  bool polled = false;
  ChangeMarker marker;       // polled: as last read
  std::vector<int> waiters;  // the watchers' eventfds
};

struct NotifierCore {
  explicit NotifierCore(ChangeNotifier::Options o)
      : opts(std::move(o)), api(with_system_calls(opts.inotify)) {}

  const ChangeNotifier::Options opts;
  const InotifyApi api;
  UniqueFd wake;  // eventfd: stop, or the set of polled accounts changed
  std::thread thread;

  mutable Mutex mu;
  bool stop GUARDED_BY(mu) = false;
  UniqueFd inotify GUARDED_BY(mu);  // once valid, stays so until the core goes
  std::map<std::string, std::shared_ptr<WatchedAccount>> by_dir GUARDED_BY(mu);
  std::map<int, std::shared_ptr<WatchedAccount>> by_wd GUARDED_BY(mu);
  int polled GUARDED_BY(mu) = 0;
  int watchers GUARDED_BY(mu) = 0;
  // Rate limit of the fallback log line.
  std::optional<Clock::time_point> last_log GUARDED_BY(mu);
  int unlogged GUARDED_BY(mu) = 0;

  Result<std::shared_ptr<WatchedAccount>> join(const std::string& dir, int efd) EXCLUDES(mu);
  void leave(const std::shared_ptr<WatchedAccount>& a, int efd) EXCLUDES(mu);

 private:
  Status start_thread() REQUIRES(mu);
  Result<std::shared_ptr<WatchedAccount>> add_account(const std::string& dir) REQUIRES(mu);
  Result<std::string> add_watches(const std::shared_ptr<WatchedAccount>& a) REQUIRES(mu);
  Status poll_account(WatchedAccount& a, const std::string& why) REQUIRES(mu);
  void forget(WatchedAccount& a) REQUIRES(mu);
  void remove(const std::shared_ptr<WatchedAccount>& a) REQUIRES(mu);
  void log_fallback(const std::string& dir, const std::string& why) REQUIRES(mu);
  void run() EXCLUDES(mu);
  void read_events(int ifd) EXCLUDES(mu);
  void dispatch(const struct inotify_event& ev,
                std::vector<std::shared_ptr<WatchedAccount>>& changed) REQUIRES(mu);
  void poll_markers() EXCLUDES(mu);
  static void wake_all(const WatchedAccount& a) {
    for (int efd : a.waiters) signal_fd(efd);
  }
};

Result<std::shared_ptr<WatchedAccount>> NotifierCore::join(const std::string& dir, int efd) {
  MutexLock lock(mu);
  MOX_TRY(start_thread());
  std::shared_ptr<WatchedAccount> a;
  if (auto it = by_dir.find(dir); it != by_dir.end()) {
    a = it->second;
  } else {
    MOX_ASSIGN(a, add_account(dir));
  }
  a->waiters.push_back(efd);
  watchers++;
  return a;
}

void NotifierCore::leave(const std::shared_ptr<WatchedAccount>& a, int efd) {
  MutexLock lock(mu);
  std::erase(a->waiters, efd);
  watchers--;
  // A removed account was forgotten when it was removed.
  if (a->waiters.empty() && !a->removed) forget(*a);
}

Status NotifierCore::start_thread() {
  if (thread.joinable()) return {};
  wake.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) return notify_errno_error("eventfd");
  // The thread blocks every signal (it inherits the mask), so that signals
  // reach the threads that wait for them.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  Status st;
  try {
    thread = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    st = internal_error(std::string("change notifier thread: ") + e.what());
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return st;
}

Result<std::shared_ptr<WatchedAccount>> NotifierCore::add_account(const std::string& dir) {
  auto a = std::make_shared<WatchedAccount>(dir);
  std::string why;
  if (!inotify.valid()) {
    // Tried again for each new account: instances may have been freed.
    int fd = api.init();
    if (fd < 0) {
      why = std::string("inotify_init1: ") + std::strerror(errno);
    } else {
      inotify.reset(fd);
      signal_fd(wake.get());  // the thread polls the new descriptor
    }
  }
  if (why.empty()) {
    MOX_ASSIGN(why, add_watches(a));
  }
  if (!why.empty()) MOX_TRY(poll_account(*a, why));
  by_dir[dir] = a;
  return a;
}

// Watches the account's changes file and directory: "" when done, else why
// inotify cannot watch it; kNotFound when the account directory is missing.
Result<std::string> NotifierCore::add_watches(const std::shared_ptr<WatchedAccount>& a) {
  auto failed = [&](int e) -> Result<std::string> {
    if (e == ENOENT || e == ENOTDIR) return not_found("account directory " + a->dir + " is gone");
    return "inotify_add_watch: " + std::string(std::strerror(e));
  };
  int fwd = api.add_watch(inotify.get(), changes_path(a->dir), kFileMask);
  if (fwd < 0) return failed(errno);
  int dwd = api.add_watch(inotify.get(), a->dir, kDirMask);
  int e = errno;
  // inotify gives the same descriptor for an inode watched twice: under two
  // names, one account's watches would be the other's.
  bool shared = by_wd.contains(fwd) || (dwd >= 0 && by_wd.contains(dwd));
  if (dwd < 0 || shared) {
    for (int wd : {fwd, dwd}) {
      if (wd >= 0 && !by_wd.contains(wd)) (void)api.rm_watch(inotify.get(), wd);
    }
    if (shared) return std::string("already watched under another name");
    return failed(e);
  }
  a->file_wd = fwd;
  a->dir_wd = dwd;
  by_wd[fwd] = a;
  by_wd[dwd] = a;
  return std::string();
}

// Makes `a` a polled account, starting from its marker as it is now.
Status NotifierCore::poll_account(WatchedAccount& a, const std::string& why) {
  MOX_ASSIGN(a.marker, read_change_marker(a.dir));
  a.polled = true;
  polled++;
  log_fallback(a.dir, why);
  signal_fd(wake.get());  // the thread starts its polling clock
  return {};
}

void NotifierCore::log_fallback(const std::string& dir, const std::string& why) {
  auto now = Clock::now();
  if (last_log && now - *last_log < opts.log_interval) {
    unlogged++;
    return;
  }
  std::string msg = "change notification: inotify unavailable for " + dir + " (" + why +
                    "), polling every " + std::to_string(opts.poll_interval.count()) + " ms";
  if (unlogged > 0)
    msg += " (and for " + std::to_string(unlogged) + " more accounts since the last message)";
  last_log = now;
  unlogged = 0;
  if (opts.log) {
    opts.log(msg);
  } else {
    log::error(msg);
  }
}

// Stops watching `a` (called with mu held).
void NotifierCore::forget(WatchedAccount& a) {
  if (a.polled) {
    a.polled = false;
    polled--;
  }
  for (int* wd : {&a.file_wd, &a.dir_wd}) {
    if (*wd < 0) continue;
    by_wd.erase(*wd);
    (void)api.rm_watch(inotify.get(), *wd);  // EINVAL: the kernel removed it already
    *wd = -1;
  }
  if (auto it = by_dir.find(a.dir); it != by_dir.end() && it->second.get() == &a) by_dir.erase(it);
}

// The account is gone: its watchers say kRemoved from now on, and a new
// account at the same path gets a new WatchedAccount (called with mu held).
void NotifierCore::remove(const std::shared_ptr<WatchedAccount>& a) {
  a->removed = true;
  wake_all(*a);
  forget(*a);
}

void NotifierCore::run() {
  auto next_poll = Clock::now() + opts.poll_interval;
  MutexLock lock(mu);
  while (!stop) {
    int ifd = inotify.get();
    bool polling = polled > 0;
    lock.unlock();
    int timeout = -1;
    if (polling) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(next_poll - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    pollfd p[2] = {{wake.get(), POLLIN, 0}, {ifd, POLLIN, 0}};
    if (::poll(p, ifd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(opts.poll_interval);  // not expected: do not spin
    }
    if (p[0].revents & POLLIN) (void)consume_fd(wake.get());
    if (ifd >= 0 && (p[1].revents & POLLIN)) read_events(ifd);
    if (!polling) {
      next_poll = Clock::now() + opts.poll_interval;
    } else if (Clock::now() >= next_poll) {
      poll_markers();
      next_poll = Clock::now() + opts.poll_interval;
    }
    lock.lock();
  }
}

void NotifierCore::read_events(int ifd) {
  alignas(struct inotify_event) char buf[4096];
  while (true) {
    ssize_t n = ::read(ifd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: all read
    MutexLock lock(mu);
    // Each account's watchers are woken once for all the events read at
    // once: a wake-up costs every session of the account a look at it.
    std::vector<std::shared_ptr<WatchedAccount>> changed;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      dispatch(*ev, changed);
    }
    for (const auto& a : changed) {
      if (!a->removed) wake_all(*a);
    }
  }
}

// One inotify event (called with mu held): a removal takes effect at once,
// a change is added to `changed`.
void NotifierCore::dispatch(const struct inotify_event& ev,
                            std::vector<std::shared_ptr<WatchedAccount>>& changed) {
  auto add = [&changed](const std::shared_ptr<WatchedAccount>& a) {
    if (std::find(changed.begin(), changed.end(), a) == changed.end()) changed.push_back(a);
  };
  if (ev.mask & IN_Q_OVERFLOW) {
    // Events were lost: wake everyone, assuming the worst that is not removal.
    for (const auto& [dir, a] : by_dir) add(a);
    return;
  }
  auto it = by_wd.find(ev.wd);
  if (it == by_wd.end()) return;  // e.g. IN_IGNORED after our own rm_watch
  std::shared_ptr<WatchedAccount> a = it->second;
  if (ev.mask & kGoneMask) {
    remove(a);
  } else {
    add(a);
  }
}

// Reads each polled account's marker (without holding mu while reading).
void NotifierCore::poll_markers() {
  std::vector<std::shared_ptr<WatchedAccount>> todo;
  {
    MutexLock lock(mu);
    for (const auto& [dir, a] : by_dir) {
      if (a->polled) todo.push_back(a);
    }
  }
  for (const auto& a : todo) {
    auto m = read_change_marker(a->dir);
    MutexLock lock(mu);
    if (!a->polled) continue;  // its last watcher left meanwhile
    if (!m && m.error().kind == ErrorKind::kNotFound) {
      remove(a);
    } else if (m && !(*m == a->marker)) {
      a->marker = *m;
      wake_all(*a);
    }
  }
}

ChangeNotifier::ChangeNotifier(Options o) : core_(std::make_shared<NotifierCore>(std::move(o))) {}

ChangeNotifier::~ChangeNotifier() {
  {
    MutexLock lock(core_->mu);
    core_->stop = true;
    if (core_->wake.valid()) signal_fd(core_->wake.get());
  }
  if (core_->thread.joinable()) core_->thread.join();
}

Result<ChangeWatcher> ChangeNotifier::watch(const std::string& account_dir) {
  std::string path = changes_path(account_dir);
  {
    // No O_CREAT of the directory: a removed account stays removed.
    UniqueFd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660));
    if (!f.valid()) return notify_errno_error("open " + path);
  }
  UniqueFd efd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!efd.valid()) return notify_errno_error("eventfd");
  MOX_ASSIGN(auto account, core_->join(account_dir, efd.get()));
  return ChangeWatcher(core_, std::move(account), std::move(efd));
}

ChangeNotifier::Stats ChangeNotifier::stats() const {
  MutexLock lock(core_->mu);
  return {core_->inotify.valid(), static_cast<int>(core_->by_dir.size()), core_->polled,
          core_->watchers};
}

ChangeWatcher::ChangeWatcher(std::shared_ptr<NotifierCore> core,
                             std::shared_ptr<WatchedAccount> account, UniqueFd fd)
    : core_(std::move(core)), account_(std::move(account)), fd_(std::move(fd)) {}

ChangeWatcher& ChangeWatcher::operator=(ChangeWatcher&& o) noexcept {
  if (this != &o) {
    release();
    core_ = std::move(o.core_);
    account_ = std::move(o.account_);
    fd_ = std::move(o.fd_);
  }
  return *this;
}

ChangeWatcher::~ChangeWatcher() { release(); }

// Leaves the account before the eventfd closes, so that nobody signals a
// closed (or reused) descriptor.
void ChangeWatcher::release() {
  if (core_ && account_) core_->leave(account_, fd_.get());
  core_.reset();
  account_.reset();
  fd_.reset();
}

Result<ChangeWatcher::Event> ChangeWatcher::drain() {
  MOX_ASSIGN(bool signalled, consume_fd(fd_.get()));
  if (account_->removed) return Event::kRemoved;
  return signalled ? Event::kChanged : Event::kNone;
}

Result<ChangeWatcher::Event> ChangeWatcher::wait(int timeout_ms) {
  if (account_->removed) return Event::kRemoved;
  struct pollfd p = {fd_.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) < 0 && errno != EINTR) return notify_errno_error("poll eventfd");
  return drain();
}

}  // namespace mox::store
