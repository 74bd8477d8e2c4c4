// Tests for lib/queue/verify.h: the queue's files against its rows, as
// mox-config verifydata checks them.
#include <gtest/gtest.h>
#include <unistd.h>

#include "queue/queuedb.h"
#include "queue/verify.h"
#include "queue_test_util.h"
#include "store/msgfile.h"
#include "util/fs.h"

namespace mox::queue {
namespace {

using testing::QueueFixture;
using testing::Submission;
using testutil::write_file;

constexpr int64_t kNow = 1'700'000'000;

class QueueVerifyTest : public QueueFixture {
 protected:
  store::CheckReport check(bool remove) {
    auto r = check_queue_files(db_, data_, remove);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : store::CheckReport{};
  }
};

TEST_F(QueueVerifyTest, QueuedMessagesWithDkimPrefixAreClean) {
  Submission s;
  s.to = {"one@remote.example", "two@remote.example"};
  s.prefix = "Received: from client.example\r\n";
  s.dkim_prefix = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com\r\n";
  ASSERT_EQ(add(s, kNow).size(), 2u);
  EXPECT_TRUE(check(false).clean());
}

TEST_F(QueueVerifyTest, MissingTruncatedAndOrphanFiles) {
  int64_t a = add_one("a@remote.example", kNow);
  int64_t b = add_one("b@remote.example", kNow);
  ASSERT_EQ(::unlink(queue_message_path(data_, a).c_str()), 0);
  ASSERT_EQ(::truncate(queue_message_path(data_, b).c_str(), 2), 0);
  int64_t orphan = b + 10;
  std::string qdir = data_ + "/queue";
  write_file(store::message_dir_path(qdir, orphan) + "/" + std::to_string(orphan), "x");

  store::CheckReport r = check(false);
  EXPECT_EQ(r.missing_files, std::vector<int64_t>{a});
  ASSERT_EQ(r.size_mismatches.size(), 1u);
  EXPECT_EQ(r.size_mismatches[0].id, b);
  EXPECT_EQ(r.size_mismatches[0].file_size, 2);
  EXPECT_EQ(r.orphan_files, std::vector<int64_t>{orphan});

  EXPECT_EQ(check(true).removed, 1);
  EXPECT_FALSE(path_exists(queue_message_path(data_, orphan)));
  EXPECT_TRUE(check(false).orphan_files.empty());
}

}  // namespace
}  // namespace mox::queue
