// Tests for lib/mailio/mboxread.*, fromline.*, mboxflags.*, lineend.*,
// inputbuf.*, source.*: every mbox variant, "From " line dates, the flag
// fields, truncated input, gzip and zstd streams.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "mailio/fromline.h"
#include "mailio/lineend.h"
#include "mailio/mboxread.h"
#include "mailio/source.h"
#include "store_test_util.h"

namespace mox::mailio {
namespace {

using testutil::TempDir;
using testutil::write_file;

std::vector<MboxMessage> read_all(std::string_view data, Error* err = nullptr,
                                  size_t max = MboxReader::kDefaultMaxMessage) {
  MboxReader r(memory_source(data, "test.mbox"), max);
  std::vector<MboxMessage> out;
  while (true) {
    auto m = r.next();
    if (!m) {
      if (err)
        *err = m.error();
      else
        ADD_FAILURE() << m.error().message;
      return out;
    }
    if (!*m) return out;
    out.push_back(std::move(**m));
  }
}

Error read_error(std::string_view data, size_t max = MboxReader::kDefaultMaxMessage) {
  Error e{ErrorKind::kInternal, "no error"};
  read_all(data, &e, max);
  return e;
}

TEST(FromLine, Forms) {
  // 2024-01-01 12:00:00 UTC
  constexpr int64_t t = 1704110400;
  EXPECT_EQ(from_line_time("From alice@example.org Mon Jan  1 12:00:00 2024\n"), t);
  EXPECT_EQ(from_line_time("From - Mon Jan 01 12:00:00 2024\r\n"), t);  // Thunderbird
  EXPECT_EQ(from_line_time("From MAILER-DAEMON Mon Jan  1 12:00:00 2024"), t);
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 13:00:00 2024 +0100"), t);
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 07:00:00 EST 2024"), t);
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 12:00:00 UTC 2024"), t);
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 12:00:00 CET 2024"), t);  // unknown: UTC
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 12:00 2024"), t);
  EXPECT_EQ(from_line_time("From a@b Jan  1 12:00:00 2024"), t);  // no weekday
  EXPECT_EQ(from_line_time("From a@b Tue Feb 29 00:00:00 2000"), 951782400);
  EXPECT_EQ(from_line_time("From a@b"), 0);
  EXPECT_EQ(from_line_time("From here to there we go"), 0);
  EXPECT_EQ(from_line_time("From a@b Mon Jan  1 25:00:00 2024"), 0);
  EXPECT_EQ(from_line_time("from a@b Mon Jan  1 12:00:00 2024"), 0);
}

TEST(LineEnd, Crlf) {
  std::string out;
  append_crlf(out, "a\nb\r\nc\rd\n");
  EXPECT_EQ(out, "a\r\nb\r\nc\rd\r\n");
  std::string split = "x\r";
  append_crlf(split, "\ny\n");
  EXPECT_EQ(split, "x\r\ny\r\n");
  EXPECT_TRUE(is_header_field_line("Subject: hi"));
  EXPECT_TRUE(is_header_field_line("X-Empty:"));
  EXPECT_FALSE(is_header_field_line("no colon"));
  EXPECT_FALSE(is_header_field_line("Bad Name: x"));
  EXPECT_FALSE(is_header_field_line(": x"));
}

TEST(Mbox, Mboxrd) {
  std::string in =
      "From a@b Mon Jan  1 12:00:00 2024\n"
      "Subject: one\n"
      "\n"
      "body\n"
      ">From the start\n"
      ">>From quoted twice\n"
      "From here, unquoted (no blank line before, no date)\n"
      "\n"
      "From c@d Tue Jan  2 12:00:00 2024\n"
      "Subject: two\n"
      "\n"
      "second\n";
  auto ms = read_all(in);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].data,
            "Subject: one\r\n\r\nbody\r\nFrom the start\r\n>From quoted twice\r\n"
            "From here, unquoted (no blank line before, no date)\r\n");
  EXPECT_EQ(ms[0].received, 1704110400);
  EXPECT_EQ(ms[0].line, 1);
  EXPECT_EQ(ms[0].offset, 0);
  EXPECT_EQ(ms[1].data, "Subject: two\r\n\r\nsecond\r\n");
  EXPECT_EQ(ms[1].line, 9);
  EXPECT_EQ(ms[1].offset, static_cast<int64_t>(in.find("From c@d")));
}

TEST(Mbox, EmptyLinesKeptButTheSeparator) {
  auto ms = read_all(
      "From a Mon Jan  1 12:00:00 2024\nA: 1\n\nx\n\n\n\nFrom b Mon Jan  1 12:00:00 2024\nB: 2\n\n"
      "y\n\n");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].data, "A: 1\r\n\r\nx\r\n\r\n\r\n");
  EXPECT_EQ(ms[1].data, "B: 2\r\n\r\ny\r\n");
}

TEST(Mbox, FromLineWithDateSplitsWithoutBlankLine) {
  auto ms = read_all(
      "From a Mon Jan  1 12:00:00 2024\nA: 1\n\nx\nFrom b Mon Jan  1 12:00:00 2024\nB: 2\n\ny\n");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].data, "A: 1\r\n\r\nx\r\n");
}

TEST(Mbox, UnquotedFromFirstInBody) {
  auto ms = read_all(
      "From a Mon Jan  1 12:00:00 2024\nA: 1\n\nFrom my point of view\n\n"
      "From b Mon Jan  1 12:00:00 2024\nB: 2\n\n\nFrom c Mon Jan  1 12:00:00 2024\nC: 3\n\n");
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].data, "A: 1\r\n\r\nFrom my point of view\r\n");
  EXPECT_EQ(ms[1].data, "B: 2\r\n\r\n");
  EXPECT_EQ(ms[2].data, "C: 3\r\n\r\n");
}

TEST(Mbox, CrlfInputKept) {
  auto ms = read_all("From a Mon Jan  1 12:00:00 2024\r\nA: 1\r\n\r\nx\r\n\r\n");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].data, "A: 1\r\n\r\nx\r\n");
}

TEST(Mbox, ContentLengthTrusted) {
  // mboxcl2: the body holds an unquoted "From " line after an empty line.
  std::string body = "line\n\nFrom me, unquoted\n>From stays\n";
  std::string in =
      "From a Mon Jan  1 12:00:00 2024\nContent-Length: " + std::to_string(body.size()) +
      "\nSubject: x\n\n" + body + "\nFrom b Mon Jan  1 12:00:00 2024\nContent-Length: 3\n\nabc";
  auto ms = read_all(in);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].data, "Subject: x\r\n\r\nline\r\n\r\nFrom me, unquoted\r\n>From stays\r\n");
  EXPECT_EQ(ms[1].data, "\r\nabc");
}

TEST(Mbox, ContentLengthWrongIsIgnored) {
  std::string in =
      "From a Mon Jan  1 12:00:00 2024\nContent-Length: 2\n\nhello\n>From x\n\n"
      "From b Mon Jan  1 12:00:00 2024\nS: 1\n\ny\n";
  auto ms = read_all(in);
  ASSERT_EQ(ms.size(), 2u);
  // Not trusted: kept, and the body unquoted as mboxrd.
  EXPECT_EQ(ms[0].data, "Content-Length: 2\r\n\r\nhello\r\nFrom x\r\n");
}

TEST(Mbox, ContentLengthPastTheEndIsTruncated) {
  Error e = read_error(
      "From a Mon Jan  1 12:00:00 2024\nS: 1\n\nx\n\nFrom b Mon Jan  1 12:00:00 "
      "2024\nContent-Length: 500\n\nshort\n");
  EXPECT_EQ(e.kind, ErrorKind::kSyntax);
  EXPECT_NE(e.message.find("test.mbox: line 6 (offset "), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.message;
}

TEST(Mbox, Flags) {
  auto ms = read_all(
      "From a Mon Jan  1 12:00:00 2024\n"
      "Subject: s\n"
      "Status: RO\n"
      "X-Status: AFTD\n"
      "X-Keywords: $Junk, work  later\n"
      "X-UID: 5\n"
      "\n"
      "b\n"
      "\n"
      "From b Mon Jan  1 12:00:00 2024\n"
      "X-Mozilla-Status: 1003\n"
      "X-Mozilla-Status2: 00010000\n"
      "X-Mozilla-Keys: $label1 todo\n"
      "Subject: t\n"
      "\n"
      "c\n"
      "\n"
      "From c Mon Jan  1 12:00:00 2024\n"
      "Status: O\n"
      "X-Mozilla-Status: 000C\n"
      "Subject: u\n"
      "\n");
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].data, "Subject: s\r\n\r\nb\r\n");
  EXPECT_EQ(ms[0].flags, (std::vector<std::string>{"\\Seen", "\\Answered", "\\Flagged", "\\Draft",
                                                   "\\Deleted", "$Junk", "work", "later"}));
  EXPECT_EQ(ms[1].data, "Subject: t\r\n\r\nc\r\n");
  EXPECT_EQ(ms[1].flags,
            (std::vector<std::string>{"\\Seen", "\\Answered", "$Forwarded", "$label1", "todo"}));
  EXPECT_EQ(ms[2].data, "Subject: u\r\n\r\n");
  EXPECT_EQ(ms[2].flags, (std::vector<std::string>{"\\Flagged", "\\Deleted"}));
}

TEST(Mbox, FoldedFieldRemovedWhole) {
  auto ms = read_all("From a Mon Jan  1 12:00:00 2024\nX-Keywords: one,\n two\nS: 1\n\nb\n");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].data, "S: 1\r\n\r\nb\r\n");
  EXPECT_EQ(ms[0].flags, (std::vector<std::string>{"one", "two"}));
}

TEST(Mbox, Errors) {
  Error e = read_error("Subject: not an mbox\n\nbody\n");
  EXPECT_EQ(e.message,
            "test.mbox: line 1 (offset 0): not an mbox file (does not start with \"From \")");
  e = read_error(
      "From a Mon Jan  1 12:00:00 2024\n\x7f"
      "ELF binary\n");
  EXPECT_EQ(e.message, "test.mbox: line 2 (offset 32): not a mail message (no header field)");
  std::string lines;
  for (int i = 0; i < 10; i++) lines += "123456789\n";
  e = read_error("From a Mon Jan  1 12:00:00 2024\nS: 1\n\n" + lines, 50);
  EXPECT_EQ(e.message, "test.mbox: line 1 (offset 0): message over 50 bytes");
  e = read_error("From a Mon Jan  1 12:00:00 2024\nS: 1\n\n" + std::string(100, 'x') + "\n", 50);
  EXPECT_EQ(e.message, "test.mbox: line 4 (offset 38) is longer than 50 bytes");
  EXPECT_TRUE(read_all("").empty());
}

TEST(Mbox, HeaderOnlyAndNoFinalNewline) {
  auto ms = read_all("From a Mon Jan  1 12:00:00 2024\nS: 1\n\nno newline");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].data, "S: 1\r\n\r\nno newline");
  ms = read_all("From a Mon Jan  1 12:00:00 2024\nS: 1\n");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].data, "S: 1\r\n");
}

std::string gzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string big_mbox(int n) {
  std::string s;
  for (int i = 0; i < n; i++)
    s += "From a Mon Jan  1 12:00:00 2024\nSubject: " + std::to_string(i) + "\n\n" +
         std::string(1000, 'a' + i % 26) + "\n\n";
  return s;
}

std::vector<MboxMessage> read_file_all(const std::string& path, Error* err) {
  auto src = open_source(path);
  if (!src) {
    *err = src.error();
    return {};
  }
  MboxReader r(std::move(*src));
  std::vector<MboxMessage> out;
  while (true) {
    auto m = r.next();
    if (!m) {
      *err = m.error();
      return out;
    }
    if (!*m) return out;
    out.push_back(std::move(**m));
  }
}

TEST(Source, PlainGzipZstd) {
  TempDir tmp;
  std::string mbox = big_mbox(300);  // several buffers' worth
  auto expect = read_all(mbox);
  ASSERT_EQ(expect.size(), 300u);
  write_file(tmp.path() + "/plain", mbox);
  write_file(tmp.path() + "/x.gz", gzip(mbox));
  write_file(tmp.path() + "/x.zst", zstd(mbox));
  // Two gzip members one after the other, as `cat a.gz b.gz` gives.
  write_file(tmp.path() + "/two.gz", gzip(mbox.substr(0, 1040)) + gzip(mbox.substr(1040)));
  for (const char* name : {"plain", "x.gz", "x.zst", "two.gz"}) {
    Error err{ErrorKind::kInternal, ""};
    auto got = read_file_all(tmp.path() + "/" + name, &err);
    EXPECT_EQ(err.message, "") << name;
    ASSERT_EQ(got.size(), expect.size()) << name;
    for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(got[i].data, expect[i].data) << name;
  }
}

TEST(Source, TruncatedStreams) {
  TempDir tmp;
  std::string mbox = big_mbox(50);
  std::string gz = gzip(mbox), zs = zstd(mbox);
  write_file(tmp.path() + "/cut.gz", gz.substr(0, gz.size() / 2));
  write_file(tmp.path() + "/cut.zst", zs.substr(0, zs.size() / 2));
  for (const char* name : {"cut.gz", "cut.zst"}) {
    Error err{ErrorKind::kInternal, ""};
    read_file_all(tmp.path() + "/" + name, &err);
    EXPECT_EQ(err.kind, ErrorKind::kSyntax) << name;
    EXPECT_NE(err.message.find(tmp.path() + "/" + name + ": "), std::string::npos) << err.message;
    EXPECT_NE(err.message.find("truncated"), std::string::npos) << err.message;
  }
  Error err{ErrorKind::kInternal, ""};
  read_file_all(tmp.path() + "/missing", &err);
  EXPECT_NE(err.message.find(tmp.path() + "/missing"), std::string::npos);
}

}  // namespace
}  // namespace mox::mailio
