// Tests for lib/imap/listpattern.*: the linear LIST pattern matcher against
// a plain backtracking one on many small cases, and long hostile patterns.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "imap/listpattern.h"
#include "imap_listpattern_reference.h"

namespace mox::imap {
namespace {

using testing::reference_list_match;

TEST(ListPattern, Examples) {
  EXPECT_TRUE(list_match("*", ""));
  EXPECT_TRUE(list_match("*", "a/b/c"));
  EXPECT_TRUE(list_match("%", "abc"));
  EXPECT_FALSE(list_match("%", "a/b"));
  EXPECT_TRUE(list_match("a/%", "a/b"));
  EXPECT_FALSE(list_match("a/%", "a/b/c"));
  EXPECT_TRUE(list_match("a/*", "a/b/c"));
  EXPECT_TRUE(list_match("%/%", "a/b"));
  EXPECT_TRUE(list_match("Inbox", "Inbox"));
  EXPECT_FALSE(list_match("Inbox", "Inbox2"));
  EXPECT_FALSE(list_match("", "a"));
  EXPECT_TRUE(list_match("", ""));
  EXPECT_TRUE(list_match("a*%b", "axb"));
  EXPECT_TRUE(list_match("%*", "x/y"));
}

TEST(ListPattern, AgreesWithDefinition) {
  std::mt19937 rng(42);
  const char alphabet[] = {'a', 'b', '/', '*', '%'};
  auto gen = [&](size_t max, int letters) {
    std::string s(rng() % (max + 1), ' ');
    for (char& c : s) c = alphabet[rng() % letters];
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string p = gen(7, 5), n = gen(8, 3);
    ASSERT_EQ(list_match(p, n), reference_list_match(p, n)) << "pattern " << p << " name " << n;
  }
}

TEST(ListPattern, HostilePatternsAreCheap) {
  std::string name(1000, 'a');
  std::string pat;
  for (int i = 0; i < 500; ++i) pat += "*a";
  EXPECT_FALSE(list_match(pat + "*b", name));
  EXPECT_TRUE(list_match(pat, name));
  EXPECT_FALSE(list_match(std::string(kMaxListPattern, '%') + "b", name));
  EXPECT_TRUE(list_match(std::string(kMaxListPattern, '*'), name));
}

}  // namespace
}  // namespace mox::imap
