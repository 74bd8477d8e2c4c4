// Tests for lib/imap/utf7.*: modified UTF-7 mailbox names (RFC 3501 §5.1.3),
// the RFC's own example, round trips, and every malformed form refused.
#include <gtest/gtest.h>

#include "imap/utf7.h"

namespace mox::imap {
namespace {

TEST(ImapUtf7, Rfc3501Example) {
  // RFC 3501 §5.1.3: "~peter/mail/台北/日本語".
  const std::string utf8 =
      "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  auto d = utf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, utf8);
  EXPECT_EQ(utf7_encode(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
}

TEST(ImapUtf7, RoundTrips) {
  struct Case {
    const char* utf8;
    const char* utf7;
  } cases[] = {
      {"INBOX", "INBOX"},
      {"&", "&-"},
      {"Tom & Jerry", "Tom &- Jerry"},
      {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},         // ü
      {"\xf0\x9f\x98\x80", "&2D3eAA-"},            // U+1F600, a surrogate pair
      {"a\xc3\xa9\xc3\xa9z", "a&AOkA6Q-z"},        // two units in one shift
      {"\xd0\x9f\xd1\x80\xd0\xb8", "&BB8EQAQ4-"},  // Cyrillic "При"
      {"tab\there", "tab&AAk-here"},               // a control character is shifted
      {"", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(utf7_encode(c.utf8), c.utf7) << c.utf8;
    auto d = utf7_decode(c.utf7);
    ASSERT_TRUE(d.ok()) << c.utf7 << ": " << d.error().message;
    EXPECT_EQ(*d, c.utf8);
  }
}

TEST(ImapUtf7, MalformedIsRefused) {
  for (const char* bad : {
           "&U,BTFw",   // no "-"
           "&AGE-",     // encodes "a", which must represent itself
           "&2D0-",     // unpaired high surrogate
           "&3gA-",     // unpaired low surrogate
           "&U,BTF-",   // leftover bits form a whole sextet
           "&U,BTFx-",  // leftover bits not zero
           "&Jjo!-",    // not modified BASE64
           "&Jj/-",     // "/" is "," in modified BASE64
           "\xc3\xa4",  // raw 8-bit octets
           "a\tb",      // raw control character
       }) {
    auto d = utf7_decode(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.error().kind, ErrorKind::kSyntax);
    }
  }
}

TEST(ImapUtf7, InvalidUtf8IsSanitisedOnEncode) {
  EXPECT_EQ(utf7_encode("a\xff"), "a&,,0-");  // U+FFFD, "/" written ","
}

}  // namespace
}  // namespace mox::imap
