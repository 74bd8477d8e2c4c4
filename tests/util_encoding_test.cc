// Tests for the digit helpers of lib/util/encoding.h and for
// lib/util/split.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/encoding.h"
#include "util/split.h"

namespace mox {
namespace {

TEST(Encoding, Digits) {
  EXPECT_EQ(base64_digit('A'), 0);
  EXPECT_EQ(base64_digit('a'), 26);
  EXPECT_EQ(base64_digit('0'), 52);
  EXPECT_EQ(base64_digit('+'), 62);
  EXPECT_EQ(base64_digit('/'), 63);
  EXPECT_EQ(base64_digit('='), -1);
  EXPECT_EQ(base64_digit('-'), -1);
  EXPECT_EQ(hex_digit('9'), 9);
  EXPECT_EQ(hex_digit('a'), 10);
  EXPECT_EQ(hex_digit('F'), 15);
  EXPECT_EQ(hex_digit('g'), -1);
}

TEST(Encoding, HexByte) {
  EXPECT_EQ(hex_byte("=3D", 1), 0x3d);
  EXPECT_EQ(hex_byte("ff", 0), 255);
  EXPECT_EQ(hex_byte("=3", 1), -1);   // one digit left
  EXPECT_EQ(hex_byte("=3G", 1), -1);  // not a digit
  EXPECT_EQ(hex_byte("", 0), -1);
}

TEST(Split, NonEmpty) {
  EXPECT_EQ(split_nonempty("a  b ", ' '), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_nonempty(" $Junk ", ' '), (std::vector<std::string>{"$Junk"}));
  EXPECT_TRUE(split_nonempty("", ' ').empty());
  EXPECT_TRUE(split_nonempty("   ", ' ').empty());
}

}  // namespace
}  // namespace mox
