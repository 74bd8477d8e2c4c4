// Tests for lib/imap/sequence.* and date.*: sequence sets with ranges, "*"
// and "$" (RFC 9051 §9, RFC 5182), and IMAP dates (RFC 9051 §9 date,
// date-time).
#include <gtest/gtest.h>

#include "imap/date.h"
#include "imap/sequence.h"

namespace mox::imap {
namespace {

TEST(ImapSequenceSet, Parse) {
  auto s = SequenceSet::parse("1:3,5,7:*,4294967295,9:8");
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::vector<SeqRange> want = {
      {1, 3}, {5, 5}, {7, SeqRange::kStar}, {4294967295u, 4294967295u}, {9, 8}};
  EXPECT_EQ(s->ranges(), want);
  EXPECT_TRUE(s->has_star());
  EXPECT_FALSE(s->search_result());
  EXPECT_EQ(s->to_string(), "1:3,5,7:*,4294967295,9:8");

  auto d = SequenceSet::parse("$");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->search_result());
  EXPECT_TRUE(d->ranges().empty());
  EXPECT_EQ(d->to_string(), "$");
  auto mixed = SequenceSet::parse("1,$");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->to_string(), "1,$");
}

TEST(ImapSequenceSet, Malformed) {
  for (const char* bad : {"", "0", "01", "4294967296", "1:", ":1", "1,,2", "1:2:3", ",1", "1,",
                          "$:3", "1:$", "a", "-1", "**"}) {
    EXPECT_FALSE(SequenceSet::parse(bad).ok()) << bad;
  }
}

TEST(ImapSequenceSet, Contains) {
  auto s = SequenceSet::parse("2:4,10:*");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->contains(1, 20));
  EXPECT_TRUE(s->contains(3, 20));
  EXPECT_TRUE(s->contains(15, 20));
  EXPECT_TRUE(s->contains(20, 20));
  EXPECT_FALSE(s->contains(21, 20));
  // RFC 9051 §6.4.8: "*" is the largest number even below the range start.
  auto t = SequenceSet::parse("100:*");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->contains(50, 50));
  EXPECT_TRUE(t->contains(75, 50));
  EXPECT_FALSE(t->contains(49, 50));
}

TEST(ImapSequenceSet, FromNumbers) {
  EXPECT_EQ(SequenceSet::from_numbers({8, 1, 2, 3, 5, 7, 8, 0}).to_string(), "1:3,5,7:8");
  EXPECT_EQ(SequenceSet::from_numbers({}).to_string(), "");
  EXPECT_EQ(SequenceSet::from_numbers({4294967295u, 4294967294u}).to_string(),
            "4294967294:4294967295");
}

TEST(ImapDate, ParseDate) {
  auto d = parse_date("1-Feb-2024");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, (Date{2024, 2, 1}));
  auto e = parse_date("29-feb-2024");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (Date{2024, 2, 29}));
  EXPECT_EQ(parse_date("01-JAN-1970")->days_since_epoch(), 0);
  EXPECT_EQ(parse_date("1-Mar-2000")->days_since_epoch(), 11017);
  for (const char* bad : {"29-Feb-2023", "31-Apr-2024", "0-Jan-2024", "1-Foo-2024", "2024-02-01",
                          "1-Feb-24", "1 Feb 2024", "001-Feb-2024", "1-Feb-2024x", ""}) {
    EXPECT_FALSE(parse_date(bad).ok()) << bad;
  }
}

TEST(ImapDate, ParseDateTime) {
  auto t = parse_date_time(" 5-Feb-2024 13:05:09 +0130");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->date, (Date{2024, 2, 5}));
  EXPECT_EQ(t->hour, 13);
  EXPECT_EQ(t->minute, 5);
  EXPECT_EQ(t->second, 9);
  EXPECT_EQ(t->zone_minutes, 90);
  EXPECT_EQ(t->unix_time(), 1707138309 - 90 * 60);
  auto u = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->unix_time(), 837596665);
  EXPECT_TRUE(parse_date_time("5-Feb-2024 13:05:09 +0000").ok());  // lenient day
  for (const char* bad :
       {"05-Feb-2024 24:00:00 +0000", "05-Feb-2024 13:05 +0000", "05-Feb-2024 13:05:00 0100",
        "05-Feb-2024 13:05:00 +01000", "05-Feb-2024  13:05:00 +0100", "05-Feb-2024 13:05:00 +0160",
        "30-Feb-2024 13:05:00 +0100", ""}) {
    EXPECT_FALSE(parse_date_time(bad).ok()) << bad;
  }
}

TEST(ImapDate, Format) {
  EXPECT_EQ(format_date_time(0, 0), "\"01-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(format_date_time(837596665, -420), "\"17-Jul-1996 02:44:25 -0700\"");
  EXPECT_EQ(format_date_time(1707138309, 90), "\"05-Feb-2024 14:35:09 +0130\"");
  EXPECT_EQ(format_date_time(-1, 0), "\"31-Dec-1969 23:59:59 +0000\"");
}

}  // namespace
}  // namespace mox::imap
