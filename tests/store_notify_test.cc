// Tests for lib/store/notify.* and lib/store/notifier.cc: a writer in another
// process wakes a watcher within a second, without polling; account removal
// reports kRemoved; a process's watchers share one inotify instance with one
// pair of watches per account; without inotify (instances or watches used
// up), accounts are polled and one line is logged.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/deliver.h"
#include "store/notify.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using namespace std::chrono_literals;
using Event = ChangeWatcher::Event;
using testutil::TempDir;
using testutil::wait_child;
using testutil::write_file;

// The real inotify calls, counted; `fail_init` / `fail_watch` make them fail
// as the kernel does when max_user_instances / max_user_watches are used up.
struct FakeInotify {
  std::atomic<int> inits{0}, adds{0}, rms{0};
  bool fail_init = false;
  std::string fail_watch;  // inotify_add_watch of paths containing this fails

  InotifyApi api() {
    InotifyApi a;
    a.init = [this] {
      inits++;
      if (fail_init) {
        errno = EMFILE;
        return -1;
      }
      return ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    };
    a.add_watch = [this](int fd, const std::string& path, uint32_t mask) {
      adds++;
      if (!fail_watch.empty() && path.find(fail_watch) != std::string::npos) {
        errno = ENOSPC;
        return -1;
      }
      return ::inotify_add_watch(fd, path.c_str(), mask);
    };
    a.rm_watch = [this](int fd, int wd) {
      rms++;
      return ::inotify_rm_watch(fd, wd);
    };
    return a;
  }
};

// Log lines, collected from the notifier's thread and the test's.
struct Log {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> fn() {
    return [this](const std::string& l) {
      std::lock_guard lock(mu);
      lines.push_back(l);
    };
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu);
    return lines;
  }
};

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = account("mjl"); }

  std::string account(const std::string& name) {
    std::string d = tmp_.path() + "/accounts/" + name;
    EXPECT_TRUE(AccountStore::open(d, true).ok());
    return d;
  }

  ChangeWatcher watch(ChangeNotifier& n, const std::string& dir) {
    auto w = n.watch(dir);
    EXPECT_TRUE(w.ok()) << w.error().message;
    return std::move(*w);
  }

  // A notifier with the fake inotify and the log of this test.
  std::unique_ptr<ChangeNotifier> notifier(std::chrono::milliseconds poll = 100ms,
                                           std::chrono::milliseconds log_interval = 1min) {
    ChangeNotifier::Options o;
    o.inotify = fake_.api();
    o.poll_interval = poll;
    o.log_interval = log_interval;
    o.log = log_.fn();
    return std::make_unique<ChangeNotifier>(std::move(o));
  }

  // A forked child that runs `f` once told to go(), after `delay_ms`, and
  // exits 0 if f is true. Fork before the first watch: a child forked while
  // the notifier's thread runs may inherit a lock that thread held (the
  // allocator's under ASan) and never get it (fork(2), "the child process is
  // created with a single thread").
  struct Child {
    pid_t pid = -1;
    int go_fd = -1;
    pid_t go() {
      char c = 1;
      if (::write(go_fd, &c, 1) != 1) return -1;
      ::close(go_fd);
      return pid;
    }
  };
  template <class F>
  Child in_child(int delay_ms, F f) {
    int p[2];
    if (::pipe(p) != 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(p[1]);
      char c;
      if (::read(p[0], &c, 1) != 1) ::_exit(2);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ::_exit(f() ? 0 : 1);
    }
    ::close(p[0]);
    return {pid, p[1]};
  }

  TempDir tmp_;
  std::string dir_;
  FakeInotify fake_;
  Log log_;
  ChangeNotifier notifier_;
};

TEST_F(NotifyTest, SameProcess) {
  auto w = watch(notifier_, dir_);
  EXPECT_EQ(*w.drain(), Event::kNone);
  ASSERT_TRUE(notify_account_change(dir_).ok());
  ASSERT_TRUE(notify_account_change(dir_).ok());
  std::this_thread::sleep_for(50ms);  // both writes are read and sent on
  EXPECT_EQ(*w.wait(1000), Event::kChanged);
  EXPECT_EQ(*w.drain(), Event::kNone);  // two notifications, one wake-up
  EXPECT_EQ(*w.wait(50), Event::kNone);
  // The file never grows: each write puts a 16-byte token at its start.
  EXPECT_EQ(std::filesystem::file_size(changes_path(dir_)), 16u);
}

TEST_F(NotifyTest, OtherProcessWakesWatcherWithinASecond) {
  Child child = in_child(200, [&] { return notify_account_change(dir_).ok(); });
  auto w = watch(notifier_, dir_);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = child.go();
  ASSERT_GT(pid, 0);
  // Block on the fd as an IDLE session's event loop would.
  struct pollfd p = {w.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(*w.drain(), Event::kChanged);
  EXPECT_LT(waited, std::chrono::seconds(1));
  EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(NotifyTest, DeliveryInOtherProcessWakesWatcher) {
  std::string spool = tmp_.path() + "/spool";
  write_file(spool, "Subject: hi\r\n\r\nhi\r\n");
  Child child = in_child(100, [&] {
    auto st = AccountStore::open(dir_, false);
    if (!st) return false;
    DeliverRequest req;
    req.source_path = spool;
    return deliver(*st, req).ok();
  });
  auto w = watch(notifier_, dir_);
  pid_t pid = child.go();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(*w.wait(5000), Event::kChanged);
  EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(NotifyTest, RenamedAwayDirectoryIsRemoved) {
  std::string gone = tmp_.path() + "/oldaccount-mjl";
  Child child = in_child(100, [&] { return ::rename(dir_.c_str(), gone.c_str()) == 0; });
  auto w = watch(notifier_, dir_);
  pid_t pid = child.go();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(*w.wait(5000), Event::kRemoved);
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_EQ(*w.drain(), Event::kRemoved);  // and stays so
  EXPECT_EQ(*w.wait(0), Event::kRemoved);
  // A late writer does not bring the account back.
  auto n = notify_account_change(dir_);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(NotifyTest, DeletedDirectoryIsRemoved) {
  auto w = watch(notifier_, dir_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  ASSERT_FALSE(ec);
  Event e = Event::kNone;
  for (int i = 0; i < 10 && e != Event::kRemoved; ++i) e = *w.wait(500);
  EXPECT_EQ(e, Event::kRemoved);
}

TEST_F(NotifyTest, WatchingAMissingAccountFails) {
  auto w = notifier_.watch(tmp_.path() + "/accounts/nobody");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::kNotFound);
}

// Every watcher of the account is woken, all within a second.
void expect_all_woken(std::vector<ChangeWatcher>& ws) {
  auto start = std::chrono::steady_clock::now();
  for (auto& w : ws) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        1s - (std::chrono::steady_clock::now() - start));
    ASSERT_EQ(*w.wait(static_cast<int>(std::max<int64_t>(0, left.count()))), Event::kChanged);
  }
}

TEST_F(NotifyTest, SharedNotifierUsesOneInstanceAndOneWatchPairPerAccount) {
  auto n = notifier();
  std::string other = account("other");
  Child child = in_child(50, [&] { return notify_account_change(dir_).ok(); });
  std::vector<ChangeWatcher> mjl, oth;
  for (int i = 0; i < 300; ++i) {
    mjl.push_back(watch(*n, dir_));
    oth.push_back(watch(*n, other));
  }
  EXPECT_EQ(fake_.inits, 1);
  EXPECT_EQ(fake_.adds, 4);
  auto s = n->stats();
  EXPECT_TRUE(s.inotify);
  EXPECT_EQ(s.accounts, 2);
  EXPECT_EQ(s.polled, 0);
  EXPECT_EQ(s.watchers, 600);

  pid_t pid = child.go();
  ASSERT_GT(pid, 0);
  expect_all_woken(mjl);
  EXPECT_EQ(wait_child(pid), 0);
  for (auto& w : oth) EXPECT_EQ(*w.drain(), Event::kNone);

  // The last watcher of an account takes its watches away.
  mjl.clear();
  EXPECT_EQ(fake_.rms, 2);
  EXPECT_EQ(n->stats().accounts, 1);
  EXPECT_EQ(n->stats().watchers, 300);
  // And a new one adds them again, in the same instance.
  auto w = watch(*n, dir_);
  EXPECT_EQ(fake_.inits, 1);
  EXPECT_EQ(fake_.adds, 6);
  ASSERT_TRUE(notify_account_change(dir_).ok());
  EXPECT_EQ(*w.wait(1000), Event::kChanged);
  // One write, one wake-up (IN_CLOSE_WRITE after it is not watched).
  EXPECT_EQ(*w.wait(100), Event::kNone);
  // A writer that only touches the file (e.g. `touch changes`): IN_ATTRIB.
  ASSERT_EQ(::utimensat(AT_FDCWD, changes_path(dir_).c_str(), nullptr, 0), 0);
  EXPECT_EQ(*w.wait(1000), Event::kChanged);
  EXPECT_TRUE(log_.get().empty());
}

TEST_F(NotifyTest, WithoutInotifyAccountsArePolledAndOneLineIsLogged) {
  fake_.fail_init = true;
  auto n = notifier(100ms);
  std::vector<std::string> dirs = {dir_, account("a"), account("b")};
  Child child = in_child(0, [&] { return notify_account_change(dirs[1]).ok(); });
  std::vector<std::vector<ChangeWatcher>> ws(dirs.size());
  for (int i = 0; i < 50; ++i) {
    for (size_t d = 0; d < dirs.size(); ++d) ws[d].push_back(watch(*n, dirs[d]));
  }
  auto s = n->stats();
  EXPECT_FALSE(s.inotify);
  EXPECT_EQ(s.accounts, 3);
  EXPECT_EQ(s.polled, 3);
  EXPECT_EQ(fake_.inits, 3);  // tried again for each new account
  EXPECT_EQ(fake_.adds, 0);
  auto lines = log_.get();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("inotify_init1: Too many open files"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("polling every 100 ms"), std::string::npos) << lines[0];

  // Nothing happened: nobody is woken by the polling itself.
  std::this_thread::sleep_for(250ms);
  for (auto& v : ws) {
    for (auto& w : v) EXPECT_EQ(*w.drain(), Event::kNone);
  }
  // A write in another process, then one in this process.
  pid_t pid = child.go();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(wait_child(pid), 0);
  expect_all_woken(ws[1]);
  ASSERT_TRUE(notify_account_change(dirs[2]).ok());
  expect_all_woken(ws[2]);
  // A writer that only touches the file (e.g. `touch changes`).
  std::this_thread::sleep_for(20ms);
  ASSERT_EQ(::utimensat(AT_FDCWD, changes_path(dir_).c_str(), nullptr, 0), 0);
  expect_all_woken(ws[0]);
  EXPECT_EQ(*ws[1][0].drain(), Event::kNone);
  EXPECT_EQ(log_.get().size(), 1u);
}

TEST_F(NotifyTest, AddWatchFailingPollsThatAccountOnly) {
  std::string full = account("full");
  fake_.fail_watch = "/full";
  auto n = notifier(100ms);
  auto wm = watch(*n, dir_);
  auto wf = watch(*n, full);
  auto s = n->stats();
  EXPECT_TRUE(s.inotify);
  EXPECT_EQ(s.accounts, 2);
  EXPECT_EQ(s.polled, 1);
  auto lines = log_.get();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(full), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("No space left on device"), std::string::npos) << lines[0];
  ASSERT_TRUE(notify_account_change(full).ok());
  EXPECT_EQ(*wf.wait(1000), Event::kChanged);
  EXPECT_EQ(*wm.drain(), Event::kNone);
  ASSERT_TRUE(notify_account_change(dir_).ok());
  EXPECT_EQ(*wm.wait(1000), Event::kChanged);
}

TEST_F(NotifyTest, PolledAccountRemoved) {
  fake_.fail_init = true;
  auto n = notifier(50ms);
  auto w = watch(*n, dir_);
  ASSERT_EQ(::rename(dir_.c_str(), (tmp_.path() + "/gone").c_str()), 0);
  EXPECT_EQ(*w.wait(1000), Event::kRemoved);
  EXPECT_EQ(*w.drain(), Event::kRemoved);
  EXPECT_EQ(n->stats().accounts, 0);
}

TEST_F(NotifyTest, FallbackLogIsRateLimited) {
  fake_.fail_init = true;
  std::vector<std::string> dirs;
  for (int i = 0; i < 6; ++i) dirs.push_back(account("r" + std::to_string(i)));
  std::string late = account("late");
  auto n = notifier(100ms, 1s);
  auto start = std::chrono::steady_clock::now();
  std::vector<ChangeWatcher> ws;
  for (const auto& d : dirs) ws.push_back(watch(*n, d));
  ASSERT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(log_.get().size(), 1u);
  std::this_thread::sleep_for(start + 1100ms - std::chrono::steady_clock::now());
  ws.push_back(watch(*n, late));
  auto lines = log_.get();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("/late"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("and for 5 more accounts"), std::string::npos) << lines[1];
}

TEST_F(NotifyTest, AccountMadeAgainAfterRemovalIsWatchedAnew) {
  auto n = notifier();
  auto old = watch(*n, dir_);
  ASSERT_EQ(::rename(dir_.c_str(), (tmp_.path() + "/gone").c_str()), 0);
  EXPECT_EQ(*old.wait(1000), Event::kRemoved);
  EXPECT_EQ(n->stats().accounts, 0);
  account("mjl");
  auto w = watch(*n, dir_);
  EXPECT_EQ(*w.drain(), Event::kNone);
  ASSERT_TRUE(notify_account_change(dir_).ok());
  EXPECT_EQ(*w.wait(1000), Event::kChanged);
  EXPECT_EQ(*old.drain(), Event::kRemoved);
}

TEST_F(NotifyTest, WatcherMayOutliveNotifier) {
  auto n = notifier();
  auto w = watch(*n, dir_);
  ChangeWatcher moved = std::move(w);
  n.reset();
  ASSERT_TRUE(notify_account_change(dir_).ok());
  EXPECT_EQ(*moved.wait(100), Event::kNone);  // no thread wakes it any more
}

}  // namespace
}  // namespace mox::store
