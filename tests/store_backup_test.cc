// Tests for lib/store/backup.*, lib/store/backupfiles.* and
// db::backup_database: the copy of an account holds its database and
// exactly the files its rows name, linked to the source's.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "db/sqlite.h"
#include "store/backup.h"
#include "store/check.h"
#include "store/deliver.h"
#include "store/messages.h"
#include "store/msgfile.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::slurp;
using testutil::write_file;

class BackupTest : public testutil::AccountTest {
 protected:
  StoreBackup spec() { return {dir_, dest_, "index.db", "SELECT ID FROM Message", {}}; }

  std::string dest_ = tmp_.path() + "/backup/accounts/mjl";
};

ino_t inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST_F(BackupTest, CopiesDatabaseAndLinksFiles) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  Delivered b = add_message("Subject: b\r\n\r\ntwo\r\n");
  ASSERT_TRUE(copy_messages(*acc_, inbox_, {a.uid}, "Archive", false, 0).ok());
  // A file without a row is not copied.
  write_file(message_dir_path(dir_, b.id + 500) + "/" + std::to_string(b.id + 500), "orphan");

  BackupFiles files;
  auto r = backup_message_store(acc_->db(), spec(), files);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(files.sync().ok());
  EXPECT_EQ(r->messages, 3);
  EXPECT_TRUE(r->missing.empty());
  EXPECT_EQ(files.stats().databases, 1);
  EXPECT_EQ(files.stats().files_linked, 3);
  EXPECT_EQ(files.stats().files_copied, 0);
  EXPECT_EQ(inode(message_file_path(dest_, a.id)), inode(message_file_path(dir_, a.id)));
  EXPECT_EQ(slurp(message_file_path(dest_, b.id)), slurp(message_file_path(dir_, b.id)));
  EXPECT_FALSE(path_exists(message_file_path(dest_, b.id + 500)));

  // The copy is an account store of its own, consistent.
  auto copy = AccountStore::open(dest_, false);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  auto report = check_account(*copy, false);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->clean());
  auto rows = list_messages(*copy, inbox_);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u);
}

TEST_F(BackupTest, ChangesDuringTheBackupEndConsistent) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  Delivered b = add_message("Subject: b\r\n\r\ntwo\r\n");
  Delivered c;
  StoreBackup s = spec();
  s.between_steps = [&] {
    // Expunged after its file was linked, and one delivered after step 1.
    MessageFlags del;
    del.bits = kFlagDeleted;
    ASSERT_TRUE(store_flags(*acc_, inbox_, {a.uid}, FlagOp::kAdd, del, std::nullopt).ok());
    ASSERT_TRUE(expunge(*acc_, inbox_, std::nullopt).ok());
    c = add_message("Subject: c\r\n\r\nthree\r\n");
  };
  BackupFiles files;
  auto r = backup_message_store(acc_->db(), s, files);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->messages, 2);
  EXPECT_FALSE(path_exists(message_file_path(dest_, a.id)));
  EXPECT_TRUE(path_exists(message_file_path(dest_, b.id)));
  EXPECT_TRUE(path_exists(message_file_path(dest_, c.id)));
  EXPECT_EQ(files.stats().files_linked, 2);

  auto copy = AccountStore::open(dest_, false);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  auto report = check_account(*copy, false);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->clean());
}

TEST_F(BackupTest, MissingSourceFileIsReported) {
  Delivered a = add_message("Subject: a\r\n\r\none\r\n");
  ASSERT_EQ(::unlink(message_file_path(dir_, a.id).c_str()), 0);
  BackupFiles files;
  auto r = backup_message_store(acc_->db(), spec(), files);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->missing, std::vector<int64_t>{a.id});
  EXPECT_EQ(r->messages, 0);
}

TEST_F(BackupTest, DatabaseCopyRefusesExistingFile) {
  write_file(tmp_.path() + "/exists.db", "x");
  auto st = db::backup_database(dir_ + "/index.db", tmp_.path() + "/exists.db");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(slurp(tmp_.path() + "/exists.db"), "x");
}

TEST_F(BackupTest, CopyIsNotALink) {
  write_file(tmp_.path() + "/src", "hello");
  ASSERT_EQ(::link((tmp_.path() + "/src").c_str(), (tmp_.path() + "/src2").c_str()), 0);
  BackupFiles files;
  ASSERT_TRUE(files.copy(tmp_.path() + "/src", tmp_.path() + "/out/a").ok());
  EXPECT_EQ(slurp(tmp_.path() + "/out/a"), "hello");
  EXPECT_NE(inode(tmp_.path() + "/out/a"), inode(tmp_.path() + "/src"));
  EXPECT_EQ(files.stats().files_copied, 1);
  EXPECT_EQ(files.stats().bytes, 5);
  EXPECT_FALSE(files.copy(tmp_.path() + "/src2", tmp_.path() + "/out/a").ok());  // exists
}

}  // namespace
}  // namespace mox::store
