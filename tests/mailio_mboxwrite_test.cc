// Tests for lib/mailio/mboxwrite.* and msgbytes.*: the mboxrd form of a
// message (">From " quoting across chunk boundaries, CRLF to LF only when
// every line end is CRLF, the line end and empty line at the end), the
// "From " line in asctime form in UTC, the sender, the flag fields, and the
// file written whole under its name only by finish().
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "mailio/mboxwrite.h"
#include "mailio/msgbytes.h"
#include "store_test_util.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

using testutil::slurp;
using testutil::TempDir;
using testutil::write_file;

std::string encode(std::string_view in, bool strip, size_t chunk = 1 << 20) {
  MboxEncoder enc(strip);
  std::string out;
  for (size_t i = 0; i < in.size(); i += chunk) enc.feed(in.substr(i, chunk), out);
  enc.finish(out);
  return out;
}

TEST(MboxWrite, CrlfOnly) {
  EXPECT_TRUE(crlf_only("a\r\nb\r\n"));
  EXPECT_TRUE(crlf_only("no line end"));
  EXPECT_TRUE(crlf_only(""));
  EXPECT_FALSE(crlf_only("a\nb\r\n"));
  EXPECT_FALSE(crlf_only("a\r\nb\r"));
  EXPECT_FALSE(crlf_only("a\rb\r\n"));
  char prev = '\0';
  EXPECT_TRUE(crlf_only_chunk("a\r", prev));
  EXPECT_TRUE(crlf_only_chunk("\nb", prev));
  EXPECT_TRUE(crlf_only_end(prev));
}

TEST(MboxWrite, QuotesFromLinesInEveryChunking) {
  const std::string in =
      "Subject: x\r\n\r\nFrom here\r\n>From there\r\n>>From a\r\nFrom\r\nFrom:x\r\n"
      ">>> no\r\n From x\r\nend From x\r\n";
  const std::string want =
      "Subject: x\n\n>From here\n>>From there\n>>>From a\nFrom\nFrom:x\n"
      ">>> no\n From x\nend From x\n\n";
  for (size_t chunk = 1; chunk <= in.size(); ++chunk) {
    EXPECT_EQ(encode(in, true, chunk), want) << "chunk " << chunk;
  }
}

TEST(MboxWrite, LineEndsAndEnd) {
  // Mixed line ends are written as they are; the CRs stay.
  EXPECT_EQ(encode("a\nFrom b\r\n", false), "a\n>From b\r\n\n");
  // A last line without a line end gets one, then the empty line.
  EXPECT_EQ(encode("a\r\nb", true), "a\nb\n\n");
  EXPECT_EQ(encode("", true), "\n");
  // A line that ends while it could still be ">From ".
  EXPECT_EQ(encode("x\r\n>>Fro", true), "x\n>>Fro\n\n");
  EXPECT_EQ(encode(">>", true), ">>\n\n");
}

TEST(MboxWrite, FromLine) {
  // 2024-01-01 12:00:00 UTC was a Monday; the day is padded with a space.
  EXPECT_EQ(mbox_from_line("a@b.example", 1704110400),
            "From a@b.example Mon Jan  1 12:00:00 2024\n");
  EXPECT_EQ(mbox_from_line("MAILER-DAEMON", 1733580000),
            "From MAILER-DAEMON Sat Dec  7 14:00:00 2024\n");
  EXPECT_EQ(mbox_from_line("x", 0), "From x Thu Jan  1 00:00:00 1970\n");
}

TEST(MboxWrite, Sender) {
  EXPECT_EQ(mbox_sender("Return-Path: <a@b.example>\r\nSubject: x\r\n\r\n", "m@f"), "a@b.example");
  EXPECT_EQ(mbox_sender("Subject: x\r\nreturn-path:\r\n <c@d.example>\r\n\r\n", ""), "c@d.example");
  EXPECT_EQ(mbox_sender("Return-Path: <>\r\n\r\n", "m@f.example"), "m@f.example");
  EXPECT_EQ(mbox_sender("Subject: x\r\n\r\nReturn-Path: <body@x>\r\n", ""), "MAILER-DAEMON");
  EXPECT_EQ(mbox_sender("Return-Path: <a b@c>\n\n", "has space"), "MAILER-DAEMON");
}

TEST(MboxWrite, FlagFields) {
  EXPECT_EQ(mbox_flag_fields({}), "Status: O\n");
  EXPECT_EQ(mbox_flag_fields({"\\Seen", "\\Answered", "\\Flagged", "\\Draft", "\\Deleted"}),
            "Status: RO\nX-Status: AFTD\n");
  EXPECT_EQ(mbox_flag_fields({"\\Flagged", "$Forwarded", "$Junk", "work"}),
            "Status: O\nX-Status: F\nX-Keywords: $Forwarded,$Junk,work\n");
}

TEST(MboxWrite, FileWholeOnlyAfterFinish) {
  TempDir tmp;
  std::string msg1 = tmp.path() + "/1", msg2 = tmp.path() + "/2";
  write_file(msg1, "Return-Path: <a@b.example>\r\nSubject: one\r\n\r\nFrom me\r\n");
  write_file(msg2, "Subject: two\n\nbare LF\n");
  std::string path = tmp.path() + "/out/Archive/2024.mbox";
  {
    auto w = open_mbox_writer(path);
    ASSERT_TRUE(w.ok()) << w.error().message;
    UniqueFd f1(::open(msg1.c_str(), O_RDONLY)), f2(::open(msg2.c_str(), O_RDONLY));
    auto n = (*w)->add(f1.get(), {1, 1704110400, {"\\Seen", "work"}, ""});
    ASSERT_TRUE(n.ok()) << n.error().message;
    ASSERT_TRUE((*w)->add(f2.get(), {2, 1704110401, {}, "s@x.example"}).ok());
    EXPECT_FALSE(path_exists(path));
    ASSERT_TRUE((*w)->finish().ok());
  }
  std::string want =
      "From a@b.example Mon Jan  1 12:00:00 2024\nStatus: RO\nX-Keywords: work\n"
      "Return-Path: <a@b.example>\nSubject: one\n\n>From me\n\n"
      "From s@x.example Mon Jan  1 12:00:01 2024\nStatus: O\n"
      "Subject: two\n\nbare LF\n\n";
  EXPECT_EQ(slurp(path), want);
  EXPECT_FALSE(path_exists(path + ".tmp"));
  auto has = mbox_has_content(path);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
  EXPECT_FALSE(*mbox_has_content(tmp.path() + "/none.mbox"));
}

TEST(MboxWrite, UnfinishedLeavesNothing) {
  TempDir tmp;
  std::string msg = tmp.path() + "/1", path = tmp.path() + "/Inbox.mbox";
  write_file(msg, "Subject: one\r\n\r\nbody\r\n");
  {
    auto w = open_mbox_writer(path);
    ASSERT_TRUE(w.ok());
    UniqueFd f(::open(msg.c_str(), O_RDONLY));
    ASSERT_TRUE((*w)->add(f.get(), {1, 0, {}, ""}).ok());
  }
  EXPECT_FALSE(path_exists(path));
  EXPECT_FALSE(path_exists(path + ".tmp"));
}

TEST(MboxWrite, LargeMessageReadInChunks) {
  TempDir tmp;
  std::string msg = tmp.path() + "/1", path = tmp.path() + "/Big.mbox";
  std::string body;
  size_t lines = 0;
  for (; body.size() < 3 * MessageBytes::kChunk; lines++) body += "From line\r\nmore text here\r\n";
  write_file(msg, "Subject: big\r\n\r\n" + body);
  auto w = open_mbox_writer(path);
  ASSERT_TRUE(w.ok());
  UniqueFd f(::open(msg.c_str(), O_RDONLY));
  ASSERT_TRUE((*w)->add(f.get(), {1, 0, {}, ""}).ok());
  ASSERT_TRUE((*w)->finish().ok());
  std::string want = "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nStatus: O\nSubject: big\n\n";
  for (size_t i = 0; i < lines; i++) want += ">From line\nmore text here\n";
  want += "\n";
  EXPECT_EQ(slurp(path), want);
}

}  // namespace
}  // namespace mox::mailio
