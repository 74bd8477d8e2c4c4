// Tests for lib/mailio/maildirwalk.*: cur/ and new/, flags and Dovecot
// keywords from names, times from names or mtimes, Maildir++ and nested
// layouts, unreadable and non-mail files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>

#include "mailio/maildirwalk.h"
#include "store_test_util.h"

namespace mox::mailio {
namespace {

using testutil::TempDir;
using testutil::write_file;

void make_maildir(const std::string& dir) {
  for (const char* sub : {"cur", "new", "tmp"})
    std::filesystem::create_directories(dir + "/" + sub);
}

TEST(Maildir, FlagsKeywordsTimes) {
  TempDir tmp;
  std::string md = tmp.path() + "/Maildir";
  make_maildir(md);
  write_file(md + "/dovecot-keywords", "0 $Junk\n1 work\n");
  write_file(md + "/cur/1700000002.M1.host:2,FRSab", "Subject: a\n\nbody\n");
  write_file(md + "/cur/1700000001.M2.host:2,", "Subject: b\r\n\r\nbody\r\n");
  write_file(md + "/new/1700000003.M3.host", "Subject: c\n\nnew\n");
  write_file(md + "/new/notime", "Subject: d\n\nx\n");
  write_file(md + "/cur/.hidden", "Subject: e\n\n");
  write_file(md + "/tmp/1700000009.M9.host", "Subject: f\n\n");
  struct utimbuf ut {
    1600000000, 1600000000
  };
  ::utime((md + "/new/notime").c_str(), &ut);

  auto r = walk_maildir(md, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const MaildirFolder& f = (*r)[0];
  EXPECT_TRUE(f.levels.empty());
  ASSERT_EQ(f.files.size(), 4u);
  // By time in the name (none sorts first), then name.
  EXPECT_EQ(f.files[0].name, "notime");
  EXPECT_EQ(f.files[1].name, "1700000001.M2.host:2,");
  EXPECT_EQ(f.files[2].name, "1700000002.M1.host:2,FRSab");
  EXPECT_EQ(f.files[3].name, "1700000003.M3.host");

  auto m = read_maildir_message(f, f.files[2]);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->data, "Subject: a\r\n\r\nbody\r\n");
  EXPECT_EQ(m->received, 1700000002);
  EXPECT_EQ(m->flags,
            (std::vector<std::string>{"\\Flagged", "\\Answered", "\\Seen", "$Junk", "work"}));
  m = read_maildir_message(f, f.files[1]);
  EXPECT_EQ(m->data, "Subject: b\r\n\r\nbody\r\n");
  EXPECT_TRUE(m->flags.empty());
  m = read_maildir_message(f, f.files[3]);
  EXPECT_TRUE(m->flags.empty());  // new/: not \Seen
  m = read_maildir_message(f, f.files[0]);
  EXPECT_EQ(m->received, 1600000000);  // the mtime
  m = read_maildir_message(f, f.files[0], true);
  EXPECT_TRUE(m->data.empty());
}

// As Dovecot leaves them: saved now, mtime set to an older INTERNALDATE
// (APPEND with a date); an info part on a file still in new/ (doveadm flags).
TEST(Maildir, DovecotMtimeAndFlagsInNew) {
  TempDir tmp;
  std::string md = tmp.path() + "/Maildir";
  make_maildir(md);
  write_file(md + "/dovecot-keywords", "0 $label1\n1 work\n");
  write_file(md + "/cur/1700000005.M1P2.host,S=20,W=21:2,S", "Subject: a\n\nold\n");
  write_file(md + "/new/1700000006.M2P2.host,W=248:2,Sab", "Subject: b\n\nnew\n");
  struct utimbuf old {
    1286705410, 1286705410
  };
  ::utime((md + "/cur/1700000005.M1P2.host,S=20,W=21:2,S").c_str(), &old);
  auto r = walk_maildir(md, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const MaildirFolder& f = (*r)[0];
  ASSERT_EQ(f.files.size(), 2u);
  auto m = read_maildir_message(f, f.files[0]);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->received, 1286705410);  // the mtime, earlier than the name
  m = read_maildir_message(f, f.files[1]);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->received, 1700000006);
  EXPECT_EQ(m->flags, (std::vector<std::string>{"\\Seen", "$label1", "work"}));
}

TEST(Maildir, NotMailAndUnreadable) {
  TempDir tmp;
  std::string md = tmp.path() + "/Maildir";
  make_maildir(md);
  write_file(md + "/cur/1.x:2,S",
             "\x7f"
             "ELF\n");
  write_file(md + "/cur/2.x:2,S", "");
  auto r = walk_maildir(md, false);
  ASSERT_TRUE(r.ok());
  const MaildirFolder& f = (*r)[0];
  auto m = read_maildir_message(f, f.files[0], true);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            md + "/cur/1.x:2,S: line 1 (offset 0): not a mail message (no header field)");
  EXPECT_FALSE(read_maildir_message(f, f.files[1], true).ok());
  MaildirFile gone{"3.x:2,S", false, 3};
  m = read_maildir_message(f, gone);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find(md + "/cur/3.x:2,S"), std::string::npos);
  EXPECT_FALSE(walk_maildir(tmp.path(), false).ok());  // not a maildir
  auto e = walk_maildir(tmp.path() + "/none", true);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("/none"), std::string::npos);
}

TEST(Maildir, RecursiveMaildirPlusPlus) {
  TempDir tmp;
  std::string md = tmp.path() + "/Maildir";
  make_maildir(md);
  make_maildir(md + "/.Sent");
  make_maildir(md + "/.Archive.2024");
  make_maildir(md + "/.Entw&APw-rfe");
  std::filesystem::create_directories(md + "/.notamaildir");
  write_file(md + "/.Sent/dovecot-keywords", "3 sentkw\n");
  write_file(md + "/.Sent/cur/5.x:2,Sd", "S: 1\n\n");
  auto r = walk_maildir(md, true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_TRUE((*r)[0].levels.empty());
  EXPECT_EQ((*r)[1].levels, (std::vector<std::string>{"Archive", "2024"}));
  EXPECT_TRUE((*r)[1].maildirpp);
  EXPECT_EQ((*r)[2].levels, (std::vector<std::string>{"Entw&APw-rfe"}));
  EXPECT_EQ((*r)[3].levels, (std::vector<std::string>{"Sent"}));
  auto m = read_maildir_message((*r)[3], (*r)[3].files[0]);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->flags, (std::vector<std::string>{"\\Seen", "sentkw"}));
}

TEST(Maildir, RecursiveNested) {
  TempDir tmp;
  std::string top = tmp.path() + "/export";  // not a maildir itself
  make_maildir(top + "/Inbox");
  make_maildir(top + "/Archive");
  make_maildir(top + "/Archive/2024");
  make_maildir(top + "/Lists/mox");  // Lists is no maildir: walked through
  write_file(top + "/Lists/mox/cur/1.x:2,", "S: 1\n\n");
  auto r = walk_maildir(top, true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::vector<std::string>> levels;
  for (const auto& f : *r) {
    levels.push_back(f.levels);
    EXPECT_FALSE(f.maildirpp);
  }
  EXPECT_EQ(levels, (std::vector<std::vector<std::string>>{
                        {"Archive"}, {"Archive", "2024"}, {"Inbox"}, {"Lists", "mox"}}));
  EXPECT_EQ((*r)[3].files.size(), 1u);
  EXPECT_FALSE(walk_maildir(top, false).ok());
}

}  // namespace
}  // namespace mox::mailio
