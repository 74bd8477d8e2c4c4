// Mailbox names, CREATE, RENAME, subscriptions, LIST and LSUB of the IMAP
// session over a real account store.
#include <gtest/gtest.h>

#include "imapserver_test_util.h"

namespace mox::imapserver {
namespace {

using testutil::ImapSessionTest;

// RFC 3501 §5.1.3: a name that is not valid modified UTF-7 names no mailbox;
// the command is well-formed, so NO, not BAD, and a LIST with it lists nothing.
TEST_F(ImapSessionTest, InvalidModifiedUtf7NameIsNo) {
  login();
  std::string name = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
  EXPECT_EQ(send("a SELECT " + name + "\r\n"),
            "a NO [NONEXISTENT] mailbox name is not valid modified UTF-7: invalid character in "
            "modified UTF-7 shift (RFC 3501 \xc2\xa7"
            "5.1.3)\r\n");
  EXPECT_EQ(send("b LIST \"\" " + name + "%*\r\n"), "b OK list done\r\n");
  EXPECT_EQ(send("c CREATE &Jjo\r\n"),
            "c NO [CANNOT] mailbox name is not valid modified UTF-7: unterminated modified UTF-7 "
            "shift\r\n");
  EXPECT_EQ(send("d LSUB \"\" &Jjo\r\n"), "d OK lsub done\r\n");
  EXPECT_EQ(send("e STATUS &Jjo (MESSAGES)\r\n").substr(0, 16), "e NO [NONEXISTEN");
  // The state is checked first.
  EXPECT_EQ(send("f FETCH 1 UID\r\n"), "f BAD no mailbox selected\r\n");
  EXPECT_EQ(send("g LIST \"\" (&Jjo Inbox)\r\n"),
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\ng OK list done\r\n");
}

// RFC 9051 §6.3.4: "foo/" makes "foo"; CREATE subscribes nothing.
TEST_F(ImapSessionTest, CreateWithTrailingSeparator) {
  login();
  EXPECT_EQ(send("a CREATE Foo/\r\n"), "a OK create done\r\n");
  EXPECT_EQ(send("b CREATE Foo/Bar/\r\n"), "b OK create done\r\n");
  EXPECT_EQ(send("c LIST \"\" Foo*\r\n"),
            "* LIST (\\HasChildren) \"/\" Foo\r\n* LIST (\\HasNoChildren) \"/\" Foo/Bar\r\n"
            "c OK list done\r\n");
  EXPECT_EQ(send("d CREATE Foo/\r\n"), "d NO [ALREADYEXISTS] mailbox already exists\r\n");
  EXPECT_EQ(send("e CREATE Foo//\r\n"), "e NO mailbox name has an empty hierarchy level\r\n");
  EXPECT_EQ(send("f CREATE X/Y\r\n"), "f OK create done\r\n");
  EXPECT_EQ(send("g LSUB \"\" Foo*\r\n"), "g OK lsub done\r\n");
  EXPECT_EQ(send("h LSUB \"\" X*\r\n"), "h OK lsub done\r\n");
}

// Subscriptions are names apart from mailboxes (RFC 9051 §6.3.7): a rename
// takes those of the mailbox and its children along, also onto names that
// are subscribed already, and no SQL text reaches the client.
TEST_F(ImapSessionTest, RenameMovesSubscriptions) {
  login();
  send("a CREATE Old/Kid\r\n");
  send("b SUBSCRIBE Old\r\n");
  send("c SUBSCRIBE Old/Kid\r\n");
  send("d SUBSCRIBE New\r\n");
  send("e SUBSCRIBE New/Kid\r\n");
  EXPECT_EQ(send("f RENAME Old New\r\n"), "f OK rename done\r\n");
  EXPECT_EQ(send("g LSUB \"\" New*\r\n"),
            "* LSUB () \"/\" New\r\n* LSUB () \"/\" New/Kid\r\ng OK lsub done\r\n");
  send("h SUBSCRIBE Other\r\n");
  EXPECT_EQ(send("i RENAME New/Kid Other\r\n"), "i OK rename done\r\n");
  EXPECT_EQ(send("j LSUB \"\" New*\r\n"), "* LSUB () \"/\" New\r\nj OK lsub done\r\n");
  EXPECT_EQ(send("k LSUB \"\" Other\r\n"), "* LSUB () \"/\" Other\r\nk OK lsub done\r\n");
  EXPECT_TRUE(backend_->logged.empty());
}

// RFC 3501 §6.3.9: LSUB lists subscribed names, also of deleted mailboxes;
// for "%" a parent that is not subscribed stands in, \Noselect, for its
// subscribed children.
TEST_F(ImapSessionTest, LsubParentsAndDeleted) {
  login();
  send("a CREATE M/Sub/Kid\r\n");
  send("b CREATE M/Top\r\n");
  send("c SUBSCRIBE M/Sub/Kid\r\n");
  send("d SUBSCRIBE M/Top\r\n");
  send("e SUBSCRIBE M/Gone\r\n");
  EXPECT_EQ(send("f LSUB \"\" M/%\r\n"),
            "* LSUB () \"/\" M/Gone\r\n* LSUB (\\Noselect) \"/\" M/Sub\r\n"
            "* LSUB () \"/\" M/Top\r\nf OK lsub done\r\n");
  EXPECT_EQ(send("g LSUB \"\" M/*\r\n"),
            "* LSUB () \"/\" M/Gone\r\n* LSUB () \"/\" M/Sub/Kid\r\n"
            "* LSUB () \"/\" M/Top\r\ng OK lsub done\r\n");
  send("h DELETE M/Top\r\n");
  EXPECT_EQ(send("i LSUB \"\" M/T%\r\n"), "* LSUB () \"/\" M/Top\r\ni OK lsub done\r\n");
}

// RFC 5258 §3.5: CHILDINFO for a name whose subscribed descendants the
// patterns do not list themselves; \Subscribed only where subscribed.
TEST_F(ImapSessionTest, ListRecursiveMatchChildInfo) {
  login();
  send("a CREATE P/Q/R\r\n");
  send("b CREATE P/S\r\n");
  send("c SUBSCRIBE P/Q/R\r\n");
  EXPECT_EQ(send("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" P/%\r\n"),
            "* LIST (\\HasChildren) \"/\" P/Q (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            "d OK list done\r\n");
  EXPECT_EQ(send("e LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (P/Q P/Q/R)\r\n"),
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" P/Q/R\r\ne OK list done\r\n");
  EXPECT_EQ(send("f LIST \"\" P/% RETURN (CHILDREN SUBSCRIBED)\r\n"),
            "* LIST (\\HasChildren) \"/\" P/Q\r\n* LIST (\\HasNoChildren) \"/\" P/S\r\n"
            "f OK list done\r\n");
  // A subscription below a name that has no mailbox.
  send("g SUBSCRIBE Z/Y\r\n");
  EXPECT_EQ(send("h LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (P Z)\r\n"),
            "* LIST (\\HasChildren) \"/\" P (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            "* LIST (\\NonExistent \\HasNoChildren) \"/\" Z (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            "h OK list done\r\n");
}

}  // namespace
}  // namespace mox::imapserver
