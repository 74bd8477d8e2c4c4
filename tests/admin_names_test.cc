#include <gtest/gtest.h>

#include "admin/names.h"
#include "config/config.h"

namespace mox::admin {
namespace {

TEST(AdminNames, AccountName) {
  for (const char* ok : {"a", "mjl", "Bob", "first.last", "a_b", "a-b", "0day", "x.y-z_9"}) {
    EXPECT_TRUE(AccountName::parse(ok).ok()) << ok;
  }
  EXPECT_TRUE(AccountName::parse(std::string(64, 'a')).ok());
  for (const char* bad :
       {"",   ".",   "..",   "../evil", "a/b", "a\\b", "a\nb", "#a",          "a b", " a",
        "a ", "a:b", "a\tb", "a\x01",   "-a",  "_a",   ".a",   "caf\xc3\xa9", "a@b", "a+b"}) {
    auto r = AccountName::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kUser);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(AccountName::parse(std::string(65, 'a')).ok());
  EXPECT_EQ(AccountName::parse("a\nb").error().message,
            "account name \"a\\nb\" is not valid: use 1 to 64 ASCII letters, digits, \".\", "
            "\"_\" and \"-\", starting with a letter or digit");
}

TEST(AdminNames, AddressKey) {
  for (const char* ok : {"mjl@mox.example", "@mox.example", "\"a b\"@mox.example",
                         "caf\xc3\xa9@mox.example", "a#b@mox.example", "x@b\xc3\xbc.example"}) {
    EXPECT_TRUE(check_address_key(ok).ok()) << ok << ": " << check_address_key(ok).error().message;
  }
  for (const char* bad :
       {"#x@mox.example", "\"a: b\"@mox.example", "\"a:b\"@mox.example", "MJL@Mox.Example",
        "\"mjl\"@mox.example", "x@mox.example\n", "a\xc2\x85@mox.example", "x@b\xc2\x85.example",
        "@Mox.example", "not-an-address", "@"}) {
    auto r = check_address_key(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
    }
  }
}

TEST(AdminNames, Texts) {
  EXPECT_TRUE(check_mailbox_name("Inbox").ok());
  EXPECT_TRUE(check_mailbox_name("Archive/2026 Q1").ok());
  EXPECT_TRUE(check_mailbox_name("Envoy\xc3\xa9s").ok());
  for (const char* bad : {"", "a\nb", "a//b", "/a", "a/", "#news", "a%", "*", " a", "a ",
                          "a\xc2\x85", "a\tb", "\xff"}) {
    EXPECT_FALSE(check_mailbox_name(bad).ok()) << bad;
  }
  EXPECT_TRUE(check_login_disabled_message("gone fishing: back monday").ok());
  EXPECT_TRUE(check_login_disabled_message(std::string(256, 'y')).ok());
  for (std::string bad : {std::string(), std::string(257, 'x'), std::string("a\nb"),
                          std::string(" a"), std::string("a "), std::string("caf\xc3\xa9"),
                          std::string("tab\there"), std::string("bell\x07")}) {
    EXPECT_FALSE(check_login_disabled_message(bad).ok()) << bad;
  }
  EXPECT_TRUE(check_text_line("full name", "", 256).ok());
  EXPECT_TRUE(check_text_line("full name", "J\xc3\xb6rg \"the\" <Admin>", 256).ok());
  for (std::string bad : {std::string("a\nb"), std::string("a\rb"), std::string(" a"),
                          std::string("a "), std::string("a\tb"), std::string("\xe9"),
                          std::string("a\xe2\x80\xa8"), std::string(257, 'x')}) {
    EXPECT_FALSE(check_text_line("full name", bad, 256).ok()) << bad;
  }
  EXPECT_TRUE(check_dkim_selector("2026a").ok());
  EXPECT_TRUE(check_dkim_selector("sel.sub-1").ok());
  for (const char* bad : {"", "2026A", "a b", "a:b", "a\nb", "-a", "a..b", "#a"}) {
    EXPECT_FALSE(check_dkim_selector(bad).ok()) << bad;
  }
  for (const char* ok : {"+", "-", "=", "_", "++"}) EXPECT_TRUE(check_catchall_separator(ok).ok());
  for (const char* bad : {"", " ", "@", ":", "\n", "\xc3\xa9", "."}) {
    EXPECT_FALSE(check_catchall_separator(bad).ok()) << bad;
  }
  for (const char* ok : {"mox", "_mox", "mox-1", "www.data"}) {
    EXPECT_TRUE(check_unix_user(ok).ok()) << ok;
  }
  for (const char* bad : {"", "-x", ".x", "a b", "a:b", "a\nb", "a/b"}) {
    EXPECT_FALSE(check_unix_user(bad).ok()) << bad;
  }
  EXPECT_FALSE(check_unix_user(std::string(33, 'a')).ok());
  EXPECT_TRUE(check_domain_name("mox.example").ok());
  for (const char* bad : {"Mox.example", "a b.example", "x\n.example", "b\xc2\x85.example", ""}) {
    EXPECT_FALSE(check_domain_name(bad).ok()) << bad;
  }
}

config::Dynamic base() {
  auto dyn = config::parse_dynamic(
      "Domains:\n"
      "\tmox.example:\n"
      "\t\tLocalpartCatchallSeparator: +\n"
      "Accounts:\n"
      "\tadmin:\n"
      "\t\tDomain: mox.example\n"
      "\t\tDestinations:\n"
      "\t\t\tadmin@mox.example: nil\n",
      "domains.conf");
  EXPECT_TRUE(dyn.ok()) << dyn.error().message;
  return *dyn;
}

TEST(AdminNewValues, NewAndChangedValuesFollowTheGrammar) {
  const config::Dynamic before = base();
  EXPECT_TRUE(check_new_values(before, before).ok());
  auto after = before;
  after.accounts["new"] = before.accounts.at("admin");
  EXPECT_TRUE(check_new_values(before, after).ok());
  after = before;
  after.accounts["a\nb"] = before.accounts.at("admin");
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].full_name = "Ad\nmin";
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].full_name = "Admin Istrator";
  EXPECT_TRUE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].description = "x\x01";
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].destinations["admin@mox.example"].mailbox = "Inbox/../x\n";
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].destinations["admin@mox.example"].mailbox = "Lists/mox";
  EXPECT_TRUE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].destinations["#x@mox.example"] = {};
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.accounts["admin"].login_disabled = "gone\n";
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.domains["new.example"] = before.domains.at("mox.example");
  after.domains["new.example"].dkim.selectors["Bad Sel"].private_key_file = "dkim/x.pem";
  EXPECT_FALSE(check_new_values(before, after).ok());
  after = before;
  after.domains["new.example"] = before.domains.at("mox.example");
  after.domains["new.example"].dmarc =
      config::ReportingAddress{"dmarc-reports", "", "admin", "DMARC\nx"};
  EXPECT_FALSE(check_new_values(before, after).ok());
  after.domains["new.example"].dmarc->mailbox = "DMARC";
  EXPECT_TRUE(check_new_values(before, after).ok());
  after = before;
  after.domains["New.Example"] = before.domains.at("mox.example");
  EXPECT_FALSE(check_new_values(before, after).ok());
}

// Values already in a file written by hand are not held to the grammar; the
// sconf writer still refuses those it cannot write back.
TEST(AdminNewValues, UnchangedValuesAreNotChecked) {
  auto before = base();
  before.accounts["Odd Name"] = before.accounts.at("admin");
  before.accounts["Odd Name"].destinations = {};
  before.accounts["Odd Name"].full_name = " padded";
  auto after = before;
  after.accounts["admin"].full_name = "Admin";
  EXPECT_TRUE(check_new_values(before, after).ok());
}

}  // namespace
}  // namespace mox::admin
