// Tests for lib/message/rfc2047.* and charset.*: RFC 2047 §8 examples,
// charsets, adjacent-word rules, and undecodable words left alone.
#include <gtest/gtest.h>

#include "message/charset.h"
#include "message/rfc2047.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

TEST(Rfc2047, Section8Examples) {
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?="), "a");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= b"), "a b");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a_b?="), "a b");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?="),
            "a =?ISO-8859-2?Q?_b?=");  // unknown charset stays, with its space
  EXPECT_EQ(decode_encoded_words("=?US-ASCII?Q?Keith_Moore?="), "Keith Moore");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xc3\xa9 Pirard");
  EXPECT_EQ(decode_encoded_words("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
                                 "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this yo\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=");
}

TEST(Rfc2047, CharsetsAndSplitUtf8) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?B?5pel5pys6Kqe?="),
            "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  // "日" split in the middle of its bytes over two words.
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?=E6=97?= =?UTF-8?Q?=A5?="), "\xe6\x97\xa5");
  EXPECT_EQ(decode_encoded_words("=?windows-1252?Q?=80_=93x=94?="),
            "\xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d");
  EXPECT_EQ(decode_encoded_words("=?iso-8859-15?q?=A4?="), "\xe2\x82\xac");
  EXPECT_EQ(decode_encoded_words("=?us-ascii?q?=E9?="), "\xef\xbf\xbd");
  EXPECT_EQ(decode_encoded_words("=?utf-8*en?q?lang?="), "lang");  // RFC 2231 §5
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?=FF?="), "\xef\xbf\xbd");
  EXPECT_EQ(decode_encoded_words("=?utf-8?b?w6k?="), "\xc3\xa9");  // no padding
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?a?==?utf-8?q?b?="), "ab");
}

TEST(Rfc2047, MalformedWordsStay) {
  for (const char* s : {"=?utf-8?x?abc?=", "=?utf-8?b?!!!!?=", "=?utf-8?q?a b?=", "=?utf-8?q?abc",
                        "=??q?a?=", "=?utf-8?", "=?", "plain = ? text", "=?koi8-r?q?a?="}) {
    EXPECT_EQ(decode_encoded_words(s), s);
  }
  EXPECT_EQ(decode_encoded_words("Re: =?utf-8?q?x?=: done"), "Re: x: done");
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?a=?= =?utf-8?q?b=2?="), "a=b=2");
}

TEST(Rfc2047, HostileInputStaysLinear) {
  std::string s;
  for (int i = 0; i < 100000; ++i) s += "=?a?q?";
  EXPECT_EQ(decode_encoded_words(s), s);
  std::string t = "=?utf-8?q?" + std::string(1 << 20, 'x');
  EXPECT_EQ(decode_encoded_words(t), t);
}

TEST(Utf8, ValidateAndSanitize) {
  EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe6\x97"));          // truncated
  EXPECT_EQ(sanitize_utf8("a\xffz"), "a\xef\xbf\xbdz");
  EXPECT_EQ(charset_name(*find_charset("LATIN1")), "ISO-8859-1");
  EXPECT_EQ(find_charset("ebcdic"), nullptr);
}

}  // namespace
}  // namespace mox::message
