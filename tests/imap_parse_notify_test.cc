// Tests for lib/imap/parse_notify.cc: COMPRESS (RFC 4978) and NOTIFY
// (RFC 5465 §8) as clients send them, through the Reader and the parser,
// rendered with describe(); syntax errors.
#include <gtest/gtest.h>

#include "imap/describe.h"
#include "imap/parser.h"

namespace mox::imap {
namespace {

Result<Command> parse_line(std::string_view wire) {
  Reader r;
  r.feed(std::string(wire) + "\r\n");
  ReadEvent ev = r.next();
  if (ev.kind != ReadEvent::Kind::kCommand) return internal_error("no command");
  return parse_command(std::move(ev.command), ParseOptions{});
}

TEST(ImapParseNotify, Compress) {
  auto c = parse_line("a1 compress deflate");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->verb, Verb::kCompress);
  EXPECT_EQ(describe(*c), "a1 COMPRESS mech=DEFLATE");
  EXPECT_FALSE(parse_line("a2 COMPRESS").ok());
  EXPECT_FALSE(parse_line("a3 COMPRESS DEFLATE x").ok());
}

TEST(ImapParseNotify, Notify) {
  const std::pair<const char*, const char*> cases[] = {
      {"1 NOTIFY NONE", "1 NOTIFY NONE"},
      // RFC 5465 §3 examples.
      {"2 NOTIFY SET STATUS (selected (MessageNew (uid body.peek[header.fields (from to "
       "subject)]) MessageExpunge)) (subtree Lists (MessageNew MessageExpunge MailboxName))",
       "2 NOTIFY status groups=[(selected MessageNew UID BODY.PEEK[HEADER.FIELDS (from to "
       "subject)] MessageExpunge) (subtree \"Lists\" MessageNew MessageExpunge MailboxName)]"},
      {"3 NOTIFY SET (selected (MessageNew (UID) MessageExpunge FlagChange)) (personal "
       "(MessageNew FlagChange MessageExpunge MailboxName SubscriptionChange))",
       "3 NOTIFY groups=[(selected MessageNew UID MessageExpunge FlagChange) (personal "
       "MessageNew FlagChange MessageExpunge MailboxName SubscriptionChange)]"},
      {"4 notify set (selected-delayed (messagenew messageexpunge)) (inboxes NONE) "
       "(mailboxes (inbox Archive) (mailboxname)) (subscribed (SubscriptionChange))",
       "4 NOTIFY groups=[(selected-delayed MessageNew MessageExpunge) (inboxes NONE) "
       "(mailboxes \"Inbox\" \"Archive\" MailboxName) (subscribed SubscriptionChange)]"},
      // An unknown event is the session's to refuse (BADEVENT).
      {"5 NOTIFY SET (personal (X-Weather))", "5 NOTIFY groups=[(personal X-Weather)]"},
  };
  for (const auto& [wire, want] : cases) {
    auto c = parse_line(wire);
    ASSERT_TRUE(c.ok()) << wire << ": " << c.error().message;
    EXPECT_EQ(c->verb, Verb::kNotify);
    EXPECT_EQ(describe(*c), want);
  }
  for (const char* bad :
       {"6 NOTIFY", "7 NOTIFY SET", "8 NOTIFY SET (personal)",
        "9 NOTIFY SET (everything (MessageNew))", "10 NOTIFY SET (mailboxes (MessageNew))",
        "11 NOTIFY SET STATUS", "12 NOTIFY SET (selected (MessageNew (NOSUCHATT)))",
        "13 NOTIFY NONE x", "14 NOTIFY SET (selected MessageNew)"}) {
    EXPECT_FALSE(parse_line(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mox::imap
