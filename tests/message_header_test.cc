// Tests for lib/message/header.*: fields, folding (RFC 5322 §2.2.3),
// obsolete white space before the colon (§4.5.3), junk lines, 8-bit bytes,
// limits, and reading just the header from a spooled file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "message/header.h"
#include "store_test_util.h"

namespace mox::message {
namespace {

using namespace std::string_literals;

TEST(Header, FieldsOffsetsAndBody) {
  std::string m =
      "From: Alice <alice@example.org>\r\n"
      "Subject: hello\r\n"
      " world\r\n"
      "\tagain  \r\n"
      "To:bob@example.com\r\n"
      "\r\n"
      "Body: not a field\r\n";
  auto h = parse_header(m);
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->fields.size(), 3u);
  EXPECT_TRUE(h->has_separator);
  EXPECT_EQ(h->size, m.find("Body:"));
  EXPECT_TRUE(h->defects.empty());
  const HeaderField* s = h->first("subject");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "Subject");
  EXPECT_EQ(s->raw_value, " hello\r\n world\r\n\tagain  ");
  EXPECT_EQ(s->value, "hello world\tagain");
  EXPECT_EQ(s->offset, m.find("Subject"));
  EXPECT_EQ(m.substr(s->offset, s->length), "Subject: hello\r\n world\r\n\tagain  \r\n");
  EXPECT_EQ(h->first("TO")->value, "bob@example.com");
  EXPECT_EQ(h->first("Cc"), nullptr);
}

TEST(Header, RepeatedFieldsAndObsoleteSpaceBeforeColon) {
  auto h = parse_header("Received: a\r\nReceived : b\r\nX-Empty:\r\n\r\n");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->count("received"), 2u);
  EXPECT_EQ(h->all("Received")[1]->value, "b");
  EXPECT_EQ(h->fields[1].name, "Received");
  EXPECT_EQ(h->first("x-empty")->value, "");
}

TEST(Header, BareLfAndNoBody) {
  auto h = parse_header("A: 1\nB: 2\n  cont\n\nbody");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->fields.size(), 2u);
  EXPECT_EQ(h->fields[1].value, "2  cont");
  EXPECT_EQ(h->size, 18u);

  auto only = parse_header("A: 1\r\nB: 2");  // ends inside the header
  ASSERT_TRUE(only.ok());
  EXPECT_FALSE(only->has_separator);
  EXPECT_EQ(only->fields.size(), 2u);
  EXPECT_EQ(only->fields[1].value, "2");
  EXPECT_EQ(only->size, 10u);

  auto empty = parse_header("\r\nbody");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->fields.empty());
  EXPECT_TRUE(empty->has_separator);
  EXPECT_EQ(empty->size, 2u);
  EXPECT_TRUE(parse_header("").ok());
}

TEST(Header, JunkLinesAreSkippedAsDefects) {
  std::string m =
      "From someone@example.org Mon Jan  1 12:00:00 2024\r\n"  // mbox separator
      "  leading continuation\r\n"
      "Subject: ok\r\n"
      "this line has no colon\r\n"
      "  and a continuation of it\r\n"
      "Bad Name: x\r\n"
      ": no name\r\n"
      "X-8bit: caf\xc3\xa9 \xff\xfe\x00 nul\r\n"
      "Caf\xc3\xa9: 8-bit name\r\n"
      "\r\n"s;
  auto h = parse_header(m);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->fields.size(), 2u);
  EXPECT_EQ(h->fields[0].value, "ok");
  EXPECT_EQ(h->fields[1].name, "X-8bit");
  EXPECT_EQ(h->fields[1].value, "caf\xc3\xa9 \xff\xfe\x00 nul"s);
  ASSERT_EQ(h->defects.size(), 5u);
  EXPECT_EQ(h->defects[0].offset, 0u);
  EXPECT_EQ(h->defects[0].what, "invalid field name");
  EXPECT_EQ(h->defects[1].what, "line without colon");
  EXPECT_TRUE(h->has_separator);
}

TEST(Header, Limits) {
  std::string many;
  for (int i = 0; i < 20; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  HeaderLimits lim;
  lim.max_fields = 10;
  auto h = parse_header(many + "\r\n", lim);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().kind, ErrorKind::kPermanent);
  lim.max_fields = 20;
  EXPECT_TRUE(parse_header(many + "\r\n", lim).ok());

  lim.max_size = many.size() + 1;  // the empty line does not fit
  EXPECT_FALSE(parse_header(many + "\r\n", lim).ok());
  lim.max_size = many.size() + 2;
  EXPECT_TRUE(parse_header(many + "\r\nbody", lim).ok());
  // One endless folded field.
  std::string endless = "Subject: x\r\n";
  for (int i = 0; i < 1000; ++i) endless += " more\r\n";
  lim.max_size = 1000;
  EXPECT_FALSE(parse_header(endless, lim).ok());
}

TEST(Header, ReadHeaderFromFileStopsAtBody) {
  testutil::TempDir tmp;
  std::string path = tmp.path() + "/msg";
  std::string header;
  for (int i = 0; i < 500; ++i)
    header += "X-Filler-" + std::to_string(i) + ": abcdefghijklmnopqrstuvwxyz\r\n";
  std::string body(3 << 20, 'b');
  testutil::write_file(path, "PREFIX" + header + "\r\n" + body);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto h = read_header(fd, 6);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->fields.size(), 500u);
  EXPECT_EQ(h->size, header.size() + 2);
  EXPECT_EQ(h->fields[499].value, "abcdefghijklmnopqrstuvwxyz");

  HeaderLimits lim;
  lim.max_size = 4096;
  auto big = read_header(fd, 6, lim);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().kind, ErrorKind::kPermanent);

  auto nobody = read_header(fd, static_cast<int64_t>(6 + header.size() + 2 + body.size() - 3));
  ASSERT_TRUE(nobody.ok());  // "bbb": one junk line, no separator
  EXPECT_FALSE(nobody->has_separator);
  EXPECT_EQ(nobody->defects.size(), 1u);
  ::close(fd);
}

}  // namespace
}  // namespace mox::message
