// Tests for lib/log (logfmt lines, levels) and lib/log/ratelog.
#include "log/log.h"

#include <gtest/gtest.h>

#include "log/ratelog.h"

namespace mox::log {
namespace {

TEST(Log, Format) {
  EXPECT_EQ(format(Level::kInfo, "mox-smtpd", "message delivered",
                   {{"rcpt", "alice@example.org"}, {"size", 1234}, {"empty", ""}}, false),
            "level=info prog=mox-smtpd msg=\"message delivered\" rcpt=alice@example.org size=1234 "
            "empty=\"\"");
  EXPECT_EQ(format(Level::kError, "p", "m", {{"cause", "a \"b\"\\c\nd=e\x01"}}, false),
            "level=error prog=p msg=m cause=\"a \\\"b\\\"\\\\c\\nd=e\\x01\"");
  std::string t = format(Level::kDebug, "p", "m", {}, true);
  EXPECT_EQ(t.substr(0, 2), "t=");
  EXPECT_EQ(t.substr(25), "Z level=debug prog=p msg=m");  // t=YYYY-MM-DDTHH:MM:SS.mmmZ
}

TEST(Log, Levels) {
  EXPECT_EQ(*parse_level(""), Level::kInfo);
  EXPECT_EQ(*parse_level("trace"), Level::kTrace);
  EXPECT_FALSE(parse_level("verbose").ok());
  ASSERT_TRUE(set_level_from_config("error").ok());
  EXPECT_FALSE(enabled(Level::kInfo));
  set_level(Level::kDebug);  // the command line wins over mox.conf from now on
  ASSERT_TRUE(set_level_from_config("error").ok());
  EXPECT_TRUE(enabled(Level::kDebug));
  EXPECT_FALSE(enabled(Level::kTrace));
  set_level(Level::kInfo);
}

TEST(Log, RateLogCountsWhatItLeavesOut) {
  testing::internal::CaptureStderr();
  RateLog r(std::chrono::hours(1));
  for (int i = 0; i < 5; ++i) r.error("connection refused", {{"cause", "x"}});
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  RateLog fast(std::chrono::milliseconds(0));
  testing::internal::CaptureStderr();
  fast.error("a");
  fast.error("b");
  out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
}

}  // namespace
}  // namespace mox::log
