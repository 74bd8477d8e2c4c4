// Tests for lib/message/decode.h: base64 and quoted-printable as RFC 2045
// §6.7 and §6.8 tell readers to treat them, junk included.
#include <gtest/gtest.h>

#include "message/decode.h"

namespace mox::message {
namespace {

TEST(Decode, Base64) {
  EXPECT_EQ(decode_base64_lenient("aGVsbG8="), "hello");
  EXPECT_EQ(decode_base64_lenient("aGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n"), "hello world");
  // Characters outside the alphabet are ignored (§6.8).
  EXPECT_EQ(decode_base64_lenient("a G V s * b G 8 !"), "hello");
  // Missing padding, and two blocks run together.
  EXPECT_EQ(decode_base64_lenient("aGVsbG8"), "hello");
  EXPECT_EQ(decode_base64_lenient("aGk=aGk="), "hihi");
  EXPECT_EQ(decode_base64_lenient(""), "");
  EXPECT_EQ(decode_base64_lenient("===="), "");
  EXPECT_EQ(decode_base64_lenient("/w=="), "\xff");
}

TEST(Decode, QuotedPrintable) {
  EXPECT_EQ(decode_quoted_printable("caf=C3=A9"), "caf\xc3\xa9");
  EXPECT_EQ(decode_quoted_printable("caf=c3=a9"), "caf\xc3\xa9");  // lower case, leniently
  // Soft line breaks, with white space after the "=" too.
  EXPECT_EQ(decode_quoted_printable("long =\r\nline= \t\r\nend\r\n"), "long lineend\r\n");
  // Trailing white space is removed (rule 3); bare LF kept as it is.
  EXPECT_EQ(decode_quoted_printable("a  \nb\t\r\n"), "a\nb\r\n");
  // Bad escapes stay.
  EXPECT_EQ(decode_quoted_printable("=XY =4 100%=\r\n"), "=XY =4 100%");
  EXPECT_EQ(decode_quoted_printable("="), "");
  EXPECT_EQ(decode_quoted_printable("=3D=0D=0A"), "=\r\n");
  EXPECT_EQ(decode_quoted_printable("no line end"), "no line end");
}

TEST(Decode, Transfer) {
  EXPECT_EQ(*decode_transfer("aGk=", "base64"), "hi");
  EXPECT_EQ(*decode_transfer("a=3Db", "quoted-printable"), "a=b");
  EXPECT_EQ(*decode_transfer("a=3Db", "7bit"), "a=3Db");
  EXPECT_EQ(*decode_transfer("\xff", "8bit"), "\xff");
  EXPECT_EQ(*decode_transfer("x", "binary"), "x");
  auto r = decode_transfer("begin 644 x", "x-uuencode");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kPermanent);
  EXPECT_TRUE(known_transfer_encoding("quoted-printable"));
  EXPECT_FALSE(known_transfer_encoding("x-uuencode"));
}

}  // namespace
}  // namespace mox::message
