// Tests for lib/imapserver/notify.h: which mailboxes the NOTIFY filters take
// (RFC 5465 §6), the first-group rule and NONE, the rules check_notify()
// enforces, and the responses made from two hand-made snapshots.
#include <gtest/gtest.h>

#include "imap/parser.h"
#include "imapserver/notify.h"

namespace mox::imapserver {
namespace {

imap::NotifyArgs args(std::string_view line) {
  imap::Reader r;
  r.feed(std::string(line) + "\r\n");
  imap::ReadEvent ev = r.next();
  EXPECT_EQ(ev.kind, imap::ReadEvent::Kind::kCommand);
  auto c = imap::parse_command(std::move(ev.command), imap::ParseOptions{true});
  EXPECT_TRUE(c.ok()) << line;
  return c ? std::get<imap::NotifyArgs>(c->args) : imap::NotifyArgs{};
}

TEST(NotifySetTest, Filters) {
  std::set<std::string> subs = {"Lists/a", "Gone"};
  NotifySet n(
      args("t NOTIFY SET (mailboxes Junk NONE) (inboxes (MessageNew)) (subscribed (MailboxName)) "
           "(subtree Lists (FlagChange)) (personal (SubscriptionChange MessageNew))"));
  EXPECT_TRUE(n.wants("Inbox", "MessageNew", subs));
  EXPECT_TRUE(n.wants("Inbox/x", "MessageNew", subs));
  EXPECT_FALSE(n.wants("Inboxes", "FlagChange", subs));
  EXPECT_TRUE(n.wants("Inboxes", "MessageNew", subs));  // personal
  EXPECT_FALSE(n.wants("Junk", "MessageNew", subs));    // NONE ends the search
  EXPECT_TRUE(n.wants("Lists/a", "MailboxName", subs));
  EXPECT_FALSE(n.wants("Lists/b", "MailboxName", subs));
  EXPECT_TRUE(n.wants("Lists/b", "FlagChange", subs));
  EXPECT_FALSE(n.wants("Listsx", "FlagChange", subs));
  EXPECT_TRUE(n.wants("Archive", "SubscriptionChange", subs));
  EXPECT_EQ(n.selected(), nullptr);
  NotifySet s(args("t NOTIFY SET (selected-delayed (MessageNew (UID FLAGS) MessageExpunge))"));
  ASSERT_NE(s.selected(), nullptr);
  EXPECT_TRUE(s.has_selected_event("MessageExpunge"));
  EXPECT_FALSE(s.has_selected_event("FlagChange"));
  EXPECT_EQ(s.new_message_atts().size(), 2u);
  EXPECT_FALSE(s.wants("Inbox", "MessageNew", subs));  // selected is not "other"
}

TEST(NotifySetTest, Check) {
  EXPECT_FALSE(check_notify(args("t NOTIFY SET (personal (MessageNew MessageExpunge))")));
  EXPECT_FALSE(check_notify(args("t NOTIFY SET (personal (FlagChange))")));
  for (const char* ev :
       {"AnnotationChange", "MailboxMetadataChange", "ServerMetadataChange", "X-Other"}) {
    auto r = check_notify(args("t NOTIFY SET (personal (" + std::string(ev) + "))"));
    ASSERT_TRUE(r) << ev;
    EXPECT_FALSE(r->bad) << ev;  // NO [BADEVENT]
  }
  auto r = check_notify(args("t NOTIFY SET (selected (SubscriptionChange))"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->bad);
}

TEST(NotifySetTest, Changes) {
  Snapshot old, now;
  old.mailboxes[1] = {1, "Inbox", 7, 10, 100, 9};
  old.mailboxes[2] = {2, "Old", 8, 5, 50, 4};
  old.mailboxes[3] = {3, "Doomed", 9, 1, 1, 0};
  old.mailboxes[4] = {4, "Sel", 10, 3, 3, 2};
  old.subscribed = {"Inbox", "Old"};
  now.mailboxes[1] = {1, "Inbox", 7, 12, 120, 10};  // 2 new, 1 expunged
  now.mailboxes[2] = {2, "New", 8, 5, 60, 4};       // renamed, flags changed
  now.mailboxes[4] = {4, "Sel", 10, 4, 4, 3};       // selected: no STATUS
  now.mailboxes[5] = {5, "Made", 11, 1, 1, 0};
  now.subscribed = {"Inbox", "Made"};
  NotifySet n(
      args("t NOTIFY SET (personal (MessageNew MessageExpunge FlagChange MailboxName "
           "SubscriptionChange))"));
  std::vector<std::string> want = {
      "* STATUS INBOX (MESSAGES 10 UIDNEXT 12 UIDVALIDITY 7)",
      "* LIST () \"/\" New (\"OLDNAME\" (Old))",
      "* STATUS New (UIDVALIDITY 8 HIGHESTMODSEQ 60)",
      "* LIST () \"/\" Made",
      "* LIST (\\NonExistent) \"/\" Doomed",
      "* LIST (\\Subscribed) \"/\" Made",
      "* LIST () \"/\" Old",
  };
  EXPECT_EQ(n.changes(old, now, 4, true), want);
  EXPECT_EQ(n.initial_status(now, 4, true).size(), 3u);
  EXPECT_TRUE(n.changes(now, now, 0, true).empty());
}

}  // namespace
}  // namespace mox::imapserver
