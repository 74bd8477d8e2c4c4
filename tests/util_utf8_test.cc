#include <gtest/gtest.h>

#include "util/utf8.h"

namespace mox {
namespace {

TEST(Utf8, Printable) {
  EXPECT_TRUE(printable_utf8(""));
  EXPECT_TRUE(printable_utf8("Mjl Test <x@y>"));
  EXPECT_TRUE(printable_utf8("caf\xc3\xa9 \xe2\x9c\x89 \xf0\x9f\x93\xab"));
  EXPECT_TRUE(printable_utf8("\xc2\xa0"));  // U+00A0, the first after C1
  for (std::string bad :
       {std::string("a\nb"), std::string("a\rb"), std::string("a\tb"), std::string("a\x7f"),
        std::string(1, '\0'), std::string("\x1b[2J"), std::string("\xc2\x80"),
        std::string("\xc2\x85"), std::string("\xc2\x9f"), std::string("\xe2\x80\xa8"),
        std::string("\xe2\x80\xa9"), std::string("caf\xe9"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80")}) {
    EXPECT_FALSE(printable_utf8(bad)) << bad;
  }
}

TEST(Utf8, EscapeUnprintable) {
  EXPECT_EQ(escape_unprintable("plain \"text\" caf\xc3\xa9"), "plain \"text\" caf\xc3\xa9");
  EXPECT_EQ(escape_unprintable("a\nb\tc"), "a\\x0ab\\x09c");
  EXPECT_EQ(escape_unprintable("\x1b[31m"), "\\x1b[31m");
  EXPECT_EQ(escape_unprintable("x\xc2\x9by"), "x\\xc2\\x9by");
  EXPECT_EQ(escape_unprintable("caf\xe9!"), "caf\\xe9!");
  EXPECT_EQ(escape_unprintable("\xe2\x80\xa8"), "\\xe2\\x80\\xa8");
}

}  // namespace
}  // namespace mox
