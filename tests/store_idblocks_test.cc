// Tests for lib/store/idblocks.*: IDs handed out from blocks reserved in the
// account's database, blocks that grow, files made in advance and removed
// when not used, a block made ahead, and deliver()'s blocks kept per
// AccountStore so that two stores of one process never share an ID.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "store/account.h"
#include "store/deliver.h"
#include "store/idblocks.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::TempDir;

class IdBlocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/accounts/mjl";
    auto st = AccountStore::open(dir_, true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    store_.emplace(std::move(st).value());
    with_db_ = [this](const std::function<Result<int64_t>(db::Db&)>& use) {
      ++reservations_;
      return use(store_->db());
    };
  }

  int64_t next_message_id() {
    auto q = store_->db().prepare("SELECT NextMessageID FROM Account");
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(*q->step());
    return q->col_int(0);
  }

  TempDir tmp_;
  std::string dir_;
  std::optional<AccountStore> store_;
  IdBlocks::WithDb with_db_;
  int reservations_ = 0;
};

TEST_F(IdBlocksTest, BlocksGrowAndIdsAreConsecutiveWithinABlock) {
  IdBlocks ids(dir_, IdBlocks::Options{2, 4, false, 0});
  std::vector<int64_t> got;
  for (int i = 0; i < 10; ++i) {
    auto id = ids.take(with_db_);
    ASSERT_TRUE(id.ok()) << id.error().message;
    got.push_back(*id);
  }
  // Blocks of 2, 4, 4: three reservations for ten IDs.
  EXPECT_EQ(reservations_, 3);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i], got[i - 1] + 1);
  EXPECT_EQ(next_message_id(), got.front() + 10);
  EXPECT_FALSE(path_exists(message_file_path(dir_, got.front())));  // no files made
}

TEST_F(IdBlocksTest, FilesMadeInAdvanceAreRemovedWhenNotUsed) {
  int64_t first = 0;
  {
    IdBlocks ids(dir_, IdBlocks::Options{4, 4, true, 0});
    auto id = ids.take(with_db_);
    ASSERT_TRUE(id.ok());
    first = *id;
    for (int64_t i = first; i < first + 4; ++i) {
      EXPECT_TRUE(path_exists(message_file_path(dir_, i))) << i;
    }
  }
  // The one handed out stays (its owner removes or fills it); the rest go.
  EXPECT_TRUE(path_exists(message_file_path(dir_, first)));
  for (int64_t i = first + 1; i < first + 4; ++i) {
    EXPECT_FALSE(path_exists(message_file_path(dir_, i))) << i;
  }
}

TEST_F(IdBlocksTest, TheNextBlockIsMadeAheadWhenAsked) {
  IdBlocks ids(dir_, IdBlocks::Options{4, 8, false, 2});
  bool ahead = false;
  ASSERT_TRUE(ids.take(with_db_, &ahead).ok());
  EXPECT_FALSE(ahead);  // one handed out: not yet
  ASSERT_TRUE(ids.take(with_db_, &ahead).ok());
  ASSERT_TRUE(ahead);  // two, and less than half of the next block's size left
  ids.make_ahead(&with_db_);
  EXPECT_EQ(reservations_, 2);
  // The rest of the first block, then the block made ahead: no reservation.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ids.take(with_db_).ok());
  EXPECT_EQ(reservations_, 2);
  ASSERT_TRUE(ids.take(with_db_).ok());
  EXPECT_EQ(reservations_, 3);
}

TEST_F(IdBlocksTest, AFailedBlockIsMadeByTheNextTake) {
  IdBlocks ids(dir_, IdBlocks::Options{1, 1, false, 1});
  bool ahead = false;
  ASSERT_TRUE(ids.take(with_db_, &ahead).ok());
  ASSERT_TRUE(ahead);
  ids.make_ahead(nullptr);  // could not run
  ASSERT_TRUE(ids.take(with_db_).ok());
  EXPECT_EQ(reservations_, 2);
}

// deliver() takes its IDs from the AccountStore it is given: two stores used
// by two threads of one process each have their own block.
TEST_F(IdBlocksTest, DeliverThroughTwoStoresOfOneProcess) {
  auto other = AccountStore::open(dir_, false);
  ASSERT_TRUE(other.ok());
  std::vector<int64_t> a, b;
  auto run = [](AccountStore& st, std::vector<int64_t>& out) {
    for (int i = 0; i < 40; ++i) {
      DeliverRequest req;
      std::string body = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
      req.source_data = body;
      auto d = deliver(st, req);
      if (d) out.push_back(d->id);
    }
  };
  std::thread t1([&] { run(*store_, a); });
  std::thread t2([&] { run(*other, b); });
  t1.join();
  t2.join();
  ASSERT_EQ(a.size(), 40u);
  ASSERT_EQ(b.size(), 40u);
  std::set<int64_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 80u);
}

}  // namespace
}  // namespace mox::store
