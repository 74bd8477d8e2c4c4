// Tests for lib/mailio/maildirwrite.* and mailboxpath.*: messages land in
// cur/ under "<INTERNALDATE>.M<id>.mox:2,<info>" with their mtime, LF line
// ends when all were CRLF and the stored bytes otherwise, keywords as
// Dovecot's letters with dovecot-keywords, nothing left in tmp/; a Maildir
// with content is recognized; mailbox names that cannot be paths are refused.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "mailio/mailboxpath.h"
#include "mailio/maildirwrite.h"
#include "store_test_util.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

using testutil::slurp;
using testutil::TempDir;
using testutil::write_file;

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  ::closedir(d);
  return out;
}

TEST(MaildirWrite, NamesFlagsDatesBytes) {
  TempDir tmp;
  std::string m1 = tmp.path() + "/m1", m2 = tmp.path() + "/m2";
  write_file(m1, "Subject: one\r\n\r\nbody\r\n");
  write_file(m2, "Subject: two\r\n\r\nbare\nLF\r\n");
  std::string dir = tmp.path() + "/out/Archive/2024";
  auto has = maildir_has_content(dir);
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(*has);
  auto w = open_maildir_writer(dir);
  ASSERT_TRUE(w.ok()) << w.error().message;
  UniqueFd f1(::open(m1.c_str(), O_RDONLY)), f2(::open(m2.c_str(), O_RDONLY));
  auto n = (*w)->add(f1.get(), {7, 1704110400, {"\\Seen", "\\Flagged", "$Forwarded", "work"}, ""});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 19);
  ASSERT_TRUE((*w)->add(f2.get(), {9, 1704110401, {"$Junk", "work"}, ""}).ok());
  ASSERT_TRUE((*w)->finish().ok());

  EXPECT_EQ(entries(dir + "/cur"),
            (std::set<std::string>{"1704110400.M7.mox:2,FPSa", "1704110401.M9.mox:2,ab"}));
  EXPECT_TRUE(entries(dir + "/new").empty());
  EXPECT_TRUE(entries(dir + "/tmp").empty());
  EXPECT_EQ(slurp(dir + "/cur/1704110400.M7.mox:2,FPSa"), "Subject: one\n\nbody\n");
  EXPECT_EQ(slurp(dir + "/cur/1704110401.M9.mox:2,ab"), "Subject: two\r\n\r\nbare\nLF\r\n");
  EXPECT_EQ(slurp(dir + "/dovecot-keywords"), "0 work\n1 $Junk\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/cur/1704110400.M7.mox:2,FPSa").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1704110400);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  has = maildir_has_content(dir);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
}

TEST(MaildirWrite, KeywordsBeyondTwentySixAreWarnedAbout) {
  TempDir tmp;
  std::string m = tmp.path() + "/m";
  write_file(m, "Subject: k\r\n\r\n");
  std::vector<std::string> flags;
  for (int i = 0; i < 28; i++) flags.push_back("k" + std::to_string(i));
  auto w = open_maildir_writer(tmp.path() + "/md");
  ASSERT_TRUE(w.ok());
  UniqueFd f(::open(m.c_str(), O_RDONLY));
  ASSERT_TRUE((*w)->add(f.get(), {1, 1, flags, ""}).ok());
  ASSERT_TRUE((*w)->finish().ok());
  ASSERT_EQ((*w)->warnings().size(), 1u);
  EXPECT_EQ((*w)->warnings()[0],
            "keywords beyond the 26 a Maildir has room for not written, on 1 messages: k26 k27");
  EXPECT_EQ(entries(tmp.path() + "/md/cur"),
            (std::set<std::string>{"1.M1.mox:2,abcdefghijklmnopqrstuvwxyz"}));
}

TEST(MaildirWrite, ContentOfAnExistingMaildir) {
  TempDir tmp;
  std::string dir = tmp.path() + "/md";
  ASSERT_TRUE(mkdir_all(dir + "/cur", 0700).ok());
  EXPECT_FALSE(*maildir_has_content(dir));  // empty directories are fine
  write_file(dir + "/cur/1.x:2,", "x");
  EXPECT_TRUE(*maildir_has_content(dir));
}

TEST(MailboxPath, RefusesNamesThatAreNotPaths) {
  EXPECT_EQ(*mailbox_relpath("Archive/2024", true), "Archive/2024");
  EXPECT_EQ(*mailbox_relpath("Inbox", false), "Inbox");
  EXPECT_FALSE(mailbox_relpath("a/../b", false).ok());
  EXPECT_FALSE(mailbox_relpath("..", false).ok());
  EXPECT_FALSE(mailbox_relpath("./a", false).ok());
  EXPECT_FALSE(mailbox_relpath("a//b", false).ok());
  EXPECT_FALSE(mailbox_relpath("Inbox/cur", true).ok());
  EXPECT_EQ(*mailbox_relpath("Inbox/cur", false), "Inbox/cur");
}

}  // namespace
}  // namespace mox::mailio
