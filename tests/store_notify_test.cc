// Tests for lib/store/notify.*: a writer in another process wakes a watcher
// within a second, without polling; account removal reports kRemoved.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store/deliver.h"
#include "store/notify.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using Event = ChangeWatcher::Event;
using testutil::TempDir;
using testutil::wait_child;
using testutil::write_file;

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/accounts/mjl";
    ASSERT_TRUE(AccountStore::open(dir_, true).ok());
  }

  // Runs `f` in a forked child after `delay_ms`; the child exits 0 if f is true.
  template <class F>
  pid_t in_child(int delay_ms, F f) {
    pid_t pid = ::fork();
    if (pid == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ::_exit(f() ? 0 : 1);
    }
    return pid;
  }

  TempDir tmp_;
  std::string dir_;
};

TEST_F(NotifyTest, SameProcess) {
  auto w = ChangeWatcher::open(dir_);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(*w->drain(), Event::kNone);
  ASSERT_TRUE(notify_account_change(dir_).ok());
  ASSERT_TRUE(notify_account_change(dir_).ok());
  EXPECT_EQ(*w->wait(1000), Event::kChanged);
  EXPECT_EQ(*w->drain(), Event::kNone);  // two notifications, one wake-up
  EXPECT_EQ(*w->wait(50), Event::kNone);
  EXPECT_EQ(std::filesystem::file_size(changes_path(dir_)), 1u);  // never grows
}

TEST_F(NotifyTest, OtherProcessWakesWatcherWithinASecond) {
  auto w = ChangeWatcher::open(dir_);
  ASSERT_TRUE(w.ok());
  auto start = std::chrono::steady_clock::now();
  pid_t pid = in_child(200, [&] { return notify_account_change(dir_).ok(); });
  ASSERT_GT(pid, 0);
  // Block on the fd as an IDLE session's event loop would.
  struct pollfd p = {w->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(*w->drain(), Event::kChanged);
  EXPECT_LT(waited, std::chrono::seconds(1));
  EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(NotifyTest, DeliveryInOtherProcessWakesWatcher) {
  auto w = ChangeWatcher::open(dir_);
  ASSERT_TRUE(w.ok());
  std::string spool = tmp_.path() + "/spool";
  write_file(spool, "Subject: hi\r\n\r\nhi\r\n");
  pid_t pid = in_child(100, [&] {
    auto st = AccountStore::open(dir_, false);
    if (!st) return false;
    DeliverRequest req;
    req.source_path = spool;
    return deliver(*st, req).ok();
  });
  ASSERT_GT(pid, 0);
  EXPECT_EQ(*w->wait(5000), Event::kChanged);
  EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(NotifyTest, RenamedAwayDirectoryIsRemoved) {
  auto w = ChangeWatcher::open(dir_);
  ASSERT_TRUE(w.ok());
  std::string gone = tmp_.path() + "/oldaccount-mjl";
  pid_t pid = in_child(100, [&] { return ::rename(dir_.c_str(), gone.c_str()) == 0; });
  ASSERT_GT(pid, 0);
  EXPECT_EQ(*w->wait(5000), Event::kRemoved);
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_EQ(*w->drain(), Event::kRemoved);  // and stays so
  EXPECT_EQ(*w->wait(0), Event::kRemoved);
  // A late writer does not bring the account back.
  auto n = notify_account_change(dir_);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(NotifyTest, DeletedDirectoryIsRemoved) {
  auto w = ChangeWatcher::open(dir_);
  ASSERT_TRUE(w.ok());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  ASSERT_FALSE(ec);
  Event e = Event::kNone;
  for (int i = 0; i < 10 && e != Event::kRemoved; ++i) e = *w->wait(500);
  EXPECT_EQ(e, Event::kRemoved);
}

TEST_F(NotifyTest, WatchingAMissingAccountFails) {
  auto w = ChangeWatcher::open(tmp_.path() + "/accounts/nobody");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace mox::store
