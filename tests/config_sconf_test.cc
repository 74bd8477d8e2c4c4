#include <gtest/gtest.h>

#include "config/config.h"
#include "config/sconf.h"

namespace mox::config {
namespace {

constexpr const char* kStatic =
    "# comment at top\n"
    "DataDir: ../data\n"
    "LogLevel: info\n"
    "Hostname: mail.example.com\n"
    "Postmaster:\n"
    "\tAccount: mjl\n"
    "\tMailbox: postmaster\n"
    "Listeners:\n"
    "\tpublic:\n"
    "\t\tIPs:\n"
    "\t\t\t- 127.0.0.1\n"
    "\t\t\t- ::1\n"
    "\t\tTLS:\n"
    "\t\t\tKeyCerts:\n"
    "\t\t\t\t-\n"
    "\t\t\t\t\tCertFile: cert.pem\n"
    "\t\t\t\t\tKeyFile: key.pem\n"
    "\t\tSMTP:\n"
    "\t\t\tEnabled: true\n"
    "\t\t\tPort: 2525\n"
    "\t\tSubmissions:\n"
    "\t\t\tEnabled: true\n";

constexpr const char* kDynamic =
    "Domains:\n"
    "\texample.com:\n"
    "\t\tLocalpartCatchallSeparator: +\n"
    "\t\tDKIM:\n"
    "\t\t\tSelectors:\n"
    "\t\t\t\t2026a:\n"
    "\t\t\t\t\tExpiration: 72h\n"
    "\t\t\t\t\tPrivateKeyFile: dkim/a.pem\n"
    "\t\t\tSign:\n"
    "\t\t\t\t- 2026a\n"
    "\tother.example:\n"
    "\t\tLocalpartCatchallSeparators:\n"
    "\t\t\t- +\n"
    "\t\t\t- -\n"
    "Accounts:\n"
    "\tcatchall:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\t@example.com: nil\n"
    "\tmjl:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\tmjl@example.com: nil\n"
    "\t\t\tmjl@other.example:\n"
    "\t\t\t\tMailbox: Other\n"
    "\t\tNoCustomPassword: true\n";

TEST(Sconf, ParseAndWriteRoundTrip) {
  auto n = parse_sconf(kStatic, "mox.conf");
  ASSERT_TRUE(n.ok()) << n.error().message;
  auto text = write_sconf(*n);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, kStatic);
}

TEST(Sconf, SyntaxErrorsHaveLineNumbers) {
  auto r = parse_sconf("A: b\n  B: c\n", "x.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "x.conf:2: indentation must use tabs, not spaces");
  r = parse_sconf("A:\n\t\tB: c\n", "x.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x.conf:2:"), std::string::npos);
  r = parse_sconf("A: b\nA: c\n", "x.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "x.conf:2: duplicate key \"A\"");
  r = parse_sconf("A\n", "x.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x.conf:1:"), std::string::npos);
}

// A one-entry tree: Key: value.
Node one(std::string key, Node child) {
  Node root = Node::map();
  root.add(std::move(key), std::move(child));
  return root;
}

Node list_of(std::vector<Node> items) {
  Node l = Node::list();
  l.items = std::move(items);
  return l;
}

struct RefusedCase {
  const char* what;
  Node tree;
  const char* error;  // part of the expected message
};

TEST(SconfWriter, RefusesWhatWouldNotReadBack) {
  Node dup = Node::map();
  dup.add("A", Node::scalar("1"));
  dup.add("A", Node::scalar("2"));
  Node root_comment = one("A", Node::scalar("b"));
  root_comment.comments = {"# top"};
  Node bad_comment = Node::scalar("b");
  bad_comment.comments = {"not a comment"};
  Node nl_comment = Node::scalar("b");
  nl_comment.comments = {"# one\nInjected: x"};
  const RefusedCase cases[] = {
      {"newline in key", one("a\nb", Node::scalar("x")), "control character"},
      {"newline in value", one("A", Node::scalar("x\n\tEvil: y")), "control character"},
      {"CR at end of value", one("A", Node::scalar("x\r")), "control character"},
      {"NUL in value", one("A", Node::scalar(std::string("x\0y", 3))), "control character"},
      {"tab in value", one("A", Node::scalar("x\ty")), "control character"},
      {"C1 NEL in value", one("A", Node::scalar("x\xc2\x85y")), "control character"},
      {"U+2028 in value", one("A", Node::scalar("x\xe2\x80\xa8y")), "control character"},
      {"invalid UTF-8 in value", one("A", Node::scalar("caf\xe9")), "not UTF-8"},
      {"leading space in value", one("A", Node::scalar(" x")), "space"},
      {"trailing space in value", one("A", Node::scalar("x ")), "space"},
      {"empty key", one("", Node::scalar("x")), "empty key"},
      {"key starting with #", one("#a", Node::scalar("x")), "\"#\""},
      {"key starting with - ", one("- a", Node::scalar("x")), "\"- \""},
      {"key with colon space", one("a: b", Node::scalar("x")), "\": \""},
      {"key with leading space", one(" a", Node::scalar("x")), "space"},
      {"key with tab", one("a\tb", Node::scalar("x")), "control character"},
      {"duplicate key", dup, "duplicate key"},
      {"empty list", one("L", Node::list()), "empty list"},
      {"empty list item", one("L", list_of({Node::scalar("")})), "empty list item"},
      {"list in list", one("L", list_of({list_of({Node::scalar("x")})})), "list directly"},
      {"empty struct in list", one("L", list_of({Node::map()})), "empty struct"},
      {"root comment", root_comment, "top level"},
      {"comment without #", one("A", bad_comment), "comment"},
      {"comment with newline", one("A", nl_comment), "comment"},
      {"root not a map", Node::scalar("x"), "top level"},
  };
  for (const auto& tc : cases) {
    auto r = write_sconf(tc.tree);
    ASSERT_FALSE(r.ok()) << tc.what << " was written as:\n" << *r;
    EXPECT_NE(r.error().message.find(tc.error), std::string::npos)
        << tc.what << ": " << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << tc.what;
  }
}

TEST(SconfWriter, ErrorNamesThePath) {
  Node acc = Node::map();
  acc.add("FullName", Node::scalar("x\ny"));
  Node accounts = Node::map();
  accounts.add("a\nb", Node::map()).add("C", Node::scalar("1"));
  Node root = one("Accounts", accounts);
  auto r = write_sconf(root);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cannot write \"Accounts.a\\nb\": key has a control character or is not UTF-8");
  r = write_sconf(one("Accounts", one("mjl", acc)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cannot write \"Accounts.mjl.FullName\": value has a control character or is not "
            "UTF-8");
}

// Odd values that the format can hold come back as they were written.
TEST(SconfWriter, OddButValidValuesReadBack) {
  Node root = Node::map();
  root.add("a:", Node::scalar("b"));
  root.add("colon:", Node::scalar(""));
  root.add("-", Node::scalar("dash key"));
  root.add("Nil", Node::scalar("nil"));
  root.add("Hash", Node::scalar("#not a comment"));
  root.add("Colon", Node::scalar(": x: y"));
  root.add("Utf8", Node::scalar("caf\xc3\xa9 \xe2\x9c\x89"));
  root.add("\"a b\"@example.com", Node::map());
  Node& l = root.add("List", Node::list());
  l.items.push_back(Node::scalar("- x"));
  l.items.push_back(Node::scalar("#y"));
  Node item = Node::map();
  item.add("K", Node::scalar("v"));
  item.comments = {"#\tcomment with a tab"};
  l.items.push_back(item);
  auto text = write_sconf(root);
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto back = parse_sconf(*text, "x.conf");
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << *text;
  ASSERT_EQ(back->entries.size(), root.entries.size()) << *text;
  for (size_t i = 0; i < root.entries.size(); ++i) {
    EXPECT_EQ(back->entries[i].key, root.entries[i].key);
  }
  EXPECT_EQ(back->find("Colon")->value, ": x: y");
  EXPECT_EQ(back->find("colon:")->value, "");
  EXPECT_EQ(back->find("\"a b\"@example.com")->value, "nil");  // an empty struct
  EXPECT_EQ(back->find("List")->items.at(0).value, "- x");
  EXPECT_EQ(back->find("List")->items.at(2).comments, item.comments);
  auto again = write_sconf(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *text);
}

TEST(SconfWriter, InjectedAccountIsRefused) {
  auto dyn = *parse_dynamic(kDynamic, "domains.conf");
  auto d2 = dyn;
  // Without the check, this name would add an account "evil" holding the
  // catchall of example.com.
  d2.accounts
      ["x:\n\t\tDomain: example.com\n\tevil:\n\t\tDomain: example.com\n\t\t"
       "Destinations:\n\t\t\t@example.com: nil\n\ty"] = dyn.accounts["mjl"];
  EXPECT_FALSE(write_dynamic(d2).ok());
  d2 = dyn;
  d2.accounts["mjl"].full_name = "Mjl\n\tLoginDisabled: gone";
  EXPECT_FALSE(write_dynamic(d2).ok());
  d2 = dyn;
  d2.accounts["mjl"].destinations["mjl@example.com"].mailbox = "Inbox\n\t\t\t@example.com: nil";
  EXPECT_FALSE(write_dynamic(d2).ok());
  d2 = dyn;
  d2.accounts["mjl"].login_disabled = "gone ";
  EXPECT_FALSE(write_dynamic(d2).ok());
}

TEST(SconfWriter, CheckedTextReadsBack) {
  auto st = *parse_static(kStatic, "/etc/mox/mox.conf");
  auto dyn = *parse_dynamic(kDynamic, "/etc/mox/domains.conf");
  dyn.accounts["mjl"].full_name = "nil";  // a scalar that looks like an empty struct
  auto c = Config::make("/etc/mox/mox.conf", st, dyn);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto text = checked_dynamic_text(**c);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("\t\tFullName: nil\n"), std::string::npos);
  auto stext = checked_static_text(**c);
  ASSERT_TRUE(stext.ok()) << stext.error().message;
  EXPECT_EQ(*stext, *write_static(st));

  dyn.accounts["mjl"].full_name = "tab\there";
  c = Config::make("/etc/mox/mox.conf", st, dyn);
  ASSERT_TRUE(c.ok()) << c.error().message;
  text = checked_dynamic_text(**c);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message,
            "/etc/mox/domains.conf: cannot write \"Accounts.mjl.FullName\": value has a control "
            "character or is not UTF-8");
}

TEST(Config, TypedRoundTrip) {
  auto st = parse_static(kStatic, "mox.conf");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->hostname, "mail.example.com");
  ASSERT_EQ(st->listeners.count("public"), 1u);
  const auto& l = st->listeners.at("public");
  EXPECT_EQ(l.ips.size(), 2u);
  EXPECT_EQ(smtp_port(l), 2525);
  EXPECT_EQ(submissions_port(l), 465);
  ASSERT_TRUE(l.tls);
  EXPECT_EQ(l.tls->key_certs.at(0).key_file, "key.pem");
  auto st2 = parse_static(*write_static(*st), "mox.conf");
  ASSERT_TRUE(st2.ok()) << st2.error().message;
  EXPECT_EQ(*write_static(*st2), *write_static(*st));

  auto dyn = parse_dynamic(kDynamic, "domains.conf");
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_EQ(*write_dynamic(*dyn), kDynamic);
  EXPECT_EQ(dyn->domains.at("example.com").dkim.selectors.at("2026a").expiration,
            std::chrono::hours(72));
  EXPECT_EQ(dyn->domains.at("other.example").localpart_catchall_separators_effective,
            (std::vector<std::string>{"+", "-"}));
}

TEST(Config, FieldErrors) {
  auto r = parse_dynamic("Domains:\n\tx.com:\n\t\tBogus: 1\n", "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "domains.conf:3: Domains.x.com: unknown field \"Bogus\"");
  r = parse_dynamic(
      "Domains:\n\tx.com:\n\t\tLocalpartCatchallSeparator: +\n"
      "\t\tLocalpartCatchallSeparators:\n\t\t\t- -\n",
      "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("domains.conf:4:"), std::string::npos);
  EXPECT_NE(r.error().message.find("cannot have both"), std::string::npos);
  r = parse_dynamic("Domains:\n\tx.com:\n\t\tLocalpartCatchallSeparators:\n\t\t\t- +\n\t\t\t- +\n",
                    "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("duplicate localpart catchall separator"), std::string::npos);
  r = parse_dynamic(
      "Accounts:\n\ta:\n\t\tDomain: x.com\n\t\tLoginDisabled: " + std::string(257, 'x') + "\n",
      "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("longer than 256"), std::string::npos);
  r = parse_dynamic("Accounts:\n\ta:\n\t\tDomain: x.com\n\t\tLoginDisabled: caf\xc3\xa9\n",
                    "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("printable ASCII"), std::string::npos);
  r = parse_dynamic("Accounts:\n\ta:\n\t\tDomain: x.com\n\t\tKeepRetiredMessagePeriod: 3x\n",
                    "domains.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("domains.conf:4:"), std::string::npos);
}

std::shared_ptr<const Config> make_config() {
  auto st = parse_static(kStatic, "/etc/mox/mox.conf");
  auto dyn = parse_dynamic(kDynamic, "/etc/mox/domains.conf");
  auto c = Config::make("/etc/mox/mox.conf", *st, *dyn);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return *c;
}

TEST(Config, Paths) {
  auto c = make_config();
  EXPECT_EQ(c->data_dir(), "/etc/data");
  EXPECT_EQ(c->config_path("dkim/a.pem"), "/etc/mox/dkim/a.pem");
  EXPECT_EQ(c->account_dir("mjl"), "/etc/data/accounts/mjl");
}

TEST(Config, CrossChecks) {
  auto st = *parse_static(kStatic, "mox.conf");
  auto dyn = *parse_dynamic(kDynamic, "domains.conf");
  auto d2 = dyn;
  d2.accounts["mjl"].destinations["mjl+x@example.com"] = {};
  auto r = Config::make("mox.conf", st, d2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("localpart contains catchall separator \"+\""),
            std::string::npos);
  d2 = dyn;
  d2.accounts["catchall"].destinations["MJL@example.com"] = {};
  r = Config::make("mox.conf", st, d2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("already configured for account"), std::string::npos);
  d2 = dyn;
  d2.accounts["mjl"].destinations["x@unknown.example"] = {};
  EXPECT_FALSE(Config::make("mox.conf", st, d2).ok());
  auto st2 = st;
  st2.postmaster.account = "nobody";
  EXPECT_FALSE(Config::make("mox.conf", st2, dyn).ok());
}

// QuotaMessageSize: the account's, else mox.conf's default; -1 in the
// account is no limit whatever the default; other negative values are errors.
TEST(Config, EffectiveQuota) {
  auto st = *parse_static(std::string(kStatic) + "QuotaMessageSize: 5000\n", "mox.conf");
  auto dyn = *parse_dynamic(std::string(kDynamic) + "\t\tQuotaMessageSize: 9000\n", "domains.conf");
  dyn.accounts["unlimited"] = dyn.accounts["catchall"];
  dyn.accounts["unlimited"].destinations = {};
  dyn.accounts["unlimited"].quota_message_size = -1;
  auto c = Config::make("mox.conf", st, dyn);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ((*c)->quota_message_size("mjl"), 9000);
  EXPECT_EQ((*c)->quota_message_size("catchall"), 5000);
  EXPECT_EQ((*c)->quota_message_size("unlimited"), 0);
  EXPECT_EQ((*c)->quota_message_size("nobody"), 5000);
  st.quota_message_size = 0;
  c = Config::make("mox.conf", st, dyn);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->quota_message_size("catchall"), 0);
  auto written = write_static(st);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->find("QuotaMessageSize"), std::string::npos);  // 0 is not written

  auto bad = parse_static(std::string(kStatic) + "QuotaMessageSize: -1\n", "mox.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("QuotaMessageSize is negative"), std::string::npos);
  auto bad2 = parse_dynamic("Accounts:\n\ta:\n\t\tDomain: x.com\n\t\tQuotaMessageSize: -2\n",
                            "domains.conf");
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.error().message.find("-1 for no limit"), std::string::npos);
}

struct LookupCase {
  const char* address;
  const char* account;  // "" = not found
  const char* mailbox;
};

// domains.conf(5) LocalpartCatchallSeparators: domain A single "+", domain B
// list "+","-", catchall at A.
TEST(Config, CatchallSeparatorLookup) {
  auto c = make_config();
  Lookup lk(*c);
  const LookupCase cases[] = {
      {"mjl@example.com", "mjl", "Inbox"},
      {"mjl+test@example.com", "mjl", "Inbox"},
      {"MJL+TEST@example.com", "mjl", "Inbox"},
      {"Mjl@Example.COM", "mjl", "Inbox"},
      {"unknown@example.com", "catchall", "Inbox"},
      {"mjl-test@example.com", "catchall", "Inbox"},
      {"mjl@other.example", "mjl", "Other"},
      {"mjl-test@other.example", "mjl", "Other"},
      {"mjl-test+test@other.example", "mjl", "Other"},
      {"mjl+test-test@other.example", "mjl", "Other"},
      {"unknown@other.example", "", ""},
  };
  for (const auto& tc : cases) {
    auto a = smtp::Address::parse(tc.address);
    ASSERT_TRUE(a.ok()) << tc.address;
    auto r = lk.address(*a, true);
    if (*tc.account == 0) {
      EXPECT_EQ(r.status, LookupResult::Status::kNotFound) << tc.address;
    } else {
      EXPECT_EQ(r.status, LookupResult::Status::kFound) << tc.address;
      EXPECT_EQ(r.account, tc.account) << tc.address;
      EXPECT_EQ(r.mailbox, tc.mailbox) << tc.address;
    }
  }
  auto a = smtp::Address::parse("x@nowhere.example");
  EXPECT_EQ(lk.address(*a, true).status, LookupResult::Status::kDomainUnknown);
  a = smtp::Address::parse("postmaster@other.example");
  EXPECT_EQ(lk.address(*a, true, true).account, "mjl");
}

TEST(Config, Durations) {
  EXPECT_EQ(*parse_duration("72h"), std::chrono::hours(72));
  EXPECT_EQ(*parse_duration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*parse_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(format_duration(std::chrono::hours(72)), "72h");
  EXPECT_EQ(format_duration(std::chrono::minutes(90)), "1h30m");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(250)), "250ms");
  EXPECT_FALSE(parse_duration("72").ok());
  EXPECT_FALSE(parse_duration("h").ok());
}

}  // namespace
}  // namespace mox::config
