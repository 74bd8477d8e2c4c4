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
  EXPECT_EQ(write_sconf(*n), kStatic);
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
  auto st2 = parse_static(write_static(*st), "mox.conf");
  ASSERT_TRUE(st2.ok()) << st2.error().message;
  EXPECT_EQ(write_static(*st2), write_static(*st));

  auto dyn = parse_dynamic(kDynamic, "domains.conf");
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_EQ(write_dynamic(*dyn), kDynamic);
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
  r = parse_dynamic("Accounts:\n\ta:\n\t\tDomain: x.com\n\t\tLoginDisabled: " +
                        std::string(257, 'x') + "\n",
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
  EXPECT_EQ(write_static(st).find("QuotaMessageSize"), std::string::npos);  // 0 is not written

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

// SPEC B §2.4: domain A single "+", domain B list "+","-", catchall at A.
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
