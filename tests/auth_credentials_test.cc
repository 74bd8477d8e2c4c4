// Tests for lib/auth/credentials.* and lib/auth/record.*: usernames resolved
// through a real config (catchall separators, case, catchall destinations,
// removed accounts, disabled domains and accounts), passwords read from a
// real account store, and a full SASL exchange over them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "auth/authdb.h"
#include "auth/credentials.h"
#include "auth/record.h"
#include "config/config.h"
#include "sasl/client.h"
#include "sasl/sasl.h"
#include "sasl/secrets.h"
#include "store/account.h"
#include "util/fs.h"

namespace mox::auth {
namespace {

using sasl::cram_md5_secret_usable;
using sasl::CramMd5Secret;
using sasl::derive_secrets;
using sasl::kScramSha1Iterations;
using sasl::kScramSha256Iterations;
using sasl::scram_secret_usable;
using sasl::ScramHash;
using sasl::ScramSecret;
using sasl::verify_plain;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mox-credentials-test.XXXXXX";
    char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p ? p : "";
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr const char* kStatic =
    "DataDir: ../data\n"
    "Hostname: mail.example.com\n"
    "Postmaster:\n"
    "\tAccount: mjl\n"
    "\tMailbox: postmaster\n";

// Domain A: one separator; B: "+" and "-", disabled; a catchall account at A.
constexpr const char* kDynamic =
    "Domains:\n"
    "\texample.com:\n"
    "\t\tLocalpartCatchallSeparator: +\n"
    "\tother.example:\n"
    "\t\tDisabled: true\n"
    "\t\tLocalpartCatchallSeparators:\n"
    "\t\t\t- +\n"
    "\t\t\t- -\n"
    "Accounts:\n"
    "\tcatchall:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\t@example.com: nil\n"
    "\tdisabled:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\tdisabled@example.com: nil\n"
    "\t\tLoginDisabled: testing\n"
    "\tfresh:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\tfresh@example.com: nil\n"
    "\tgone:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\tgone@example.com: nil\n"
    "\tmjl:\n"
    "\t\tDomain: example.com\n"
    "\t\tDestinations:\n"
    "\t\t\tmjl@example.com: nil\n"
    "\t\t\tmjl@other.example: nil\n";

constexpr const char* kPassword = "correct horse";

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = config::parse_static(kStatic, "mox.conf");
    ASSERT_TRUE(st.ok()) << st.error().message;
    auto dyn = config::parse_dynamic(kDynamic, "domains.conf");
    ASSERT_TRUE(dyn.ok()) << dyn.error().message;
    ASSERT_TRUE(mkdir_all(dir_.path() + "/config", 0770).ok());
    auto c = config::Config::make(dir_.path() + "/config/mox.conf", *st, *dyn);
    ASSERT_TRUE(c.ok()) << c.error().message;
    config_ = *c;
    auto db = open_auth_db(config_->data_dir());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auth_db_ = std::move(*db);

    auto secrets = derive_secrets(kPassword);
    ASSERT_TRUE(secrets.ok());
    for (const char* account : {"mjl", "catchall", "disabled", "gone"}) {
      auto s = store::AccountStore::open(config_->account_dir(account), true);
      ASSERT_TRUE(s.ok()) << s.error().message;
      ASSERT_TRUE(s->set_password(password_record(*secrets)).ok());
    }
    ASSERT_TRUE(add_account_removal(auth_db_, "gone").ok());
  }

  TempDir dir_;
  std::shared_ptr<const config::Config> config_;
  db::Db auth_db_;
};

TEST_F(CredentialsTest, AddressesOfTheAccount) {
  AccountCredentials creds(*config_, auth_db_);
  const std::pair<const char*, const char*> cases[] = {
      {"mjl@example.com", "mjl@example.com"},
      {"mjl+tag@example.com", "mjl+tag@example.com"},  // LocalpartCatchallSeparators
      {"MJL+Tag@Example.COM", "MJL+Tag@example.com"},  // not case-sensitive
      {"mjl@other.example", "mjl@other.example"},      // disabled domain: still logs in
      {"mjl-x+y@other.example", "mjl-x+y@other.example"},
      {"\"mjl\"@example.com", "mjl@example.com"},  // quoted localpart, same address
  };
  for (const auto& [user, normalised] : cases) {
    Result<sasl::AuthUser> u = creds.lookup(user);
    ASSERT_TRUE(u.ok()) << user << ": " << u.error().message;
    EXPECT_EQ(u->account, "mjl") << user;
    EXPECT_EQ(u->login_address, normalised) << user;
    EXPECT_TRUE(u->password.has_value()) << user;
    EXPECT_EQ(u->login_disabled, "");
  }
}

TEST_F(CredentialsTest, NotLogins) {
  AccountCredentials creds(*config_, auth_db_);
  for (const char* user : {
           "",
           "mjl",                     // the account name is not a login
           "mjl@",                    //
           "not an address",          //
           "nobody@example.com",      // only the domain catchall matches
           "catchall@example.com",    // idem: the account has no such address
           "mjl-x@example.com",       // "-" is no separator here: catchall only
           "nobody@other.example",    // no catchall: unknown
           "mjl@unknown.example",     // unknown domain
           "postmaster@example.com",  // no postmaster fallback for logins
           "gone@example.com",        // removal pending
       }) {
    Result<sasl::AuthUser> u = creds.lookup(user);
    ASSERT_FALSE(u.ok()) << user;
    EXPECT_EQ(u.error().kind, ErrorKind::kNotFound) << user;
    EXPECT_EQ(u.error().message, "unknown user") << user;
  }
}

TEST_F(CredentialsTest, DisabledAndFreshAccounts) {
  AccountCredentials creds(*config_, auth_db_);
  Result<sasl::AuthUser> u = creds.lookup("disabled@example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->login_disabled, "testing");
  EXPECT_TRUE(u->password.has_value());
  // An account whose store does not exist yet has no password, and looking
  // it up does not create the store.
  u = creds.lookup("fresh@example.com");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->account, "fresh");
  EXPECT_FALSE(u->password.has_value());
  EXPECT_FALSE(path_exists(config_->account_dir("fresh")));
}

TEST_F(CredentialsTest, RemovalPending) {
  auto r = account_removal_pending(auth_db_, "gone");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  r = account_removal_pending(auth_db_, "mjl");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

// A real exchange: SCRAM-SHA-256 and PLAIN over the real credentials.
TEST_F(CredentialsTest, SaslOverRealCredentials) {
  AccountCredentials creds(*config_, auth_db_);
  sasl::Context ctx;
  ctx.creds = &creds;
  for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN"}) {
    auto s = std::move(sasl::make_mechanism(mech, ctx)).value();
    auto c = std::move(sasl::make_client_mechanism(
                           mech, sasl::ClientCredentials{"mjl+x@example.com", kPassword, "", {}}))
                 .value();
    std::optional<std::string> ir = std::move(c->start()).value();
    sasl::Step st = s->start(ir);
    while (st.outcome == sasl::Outcome::kContinue) st = s->next(*c->next(st.challenge));
    EXPECT_EQ(st.outcome, sasl::Outcome::kSuccess) << mech << ": " << st.message;
    EXPECT_EQ(s->account(), "mjl");
    EXPECT_EQ(s->username(), "mjl+x@example.com");
  }
  // The catchall account's password does not work for a made-up address.
  auto s = std::move(sasl::make_mechanism("PLAIN", ctx)).value();
  sasl::Step st = s->start(std::string("\0nobody@example.com\0correct horse", 33));
  EXPECT_EQ(st.failure, sasl::Failure::kBadCreds);
  EXPECT_EQ(s->attempt_account(), "");
}

TEST(PasswordRecord, RoundTrip) {
  auto s = derive_secrets(kPassword);
  ASSERT_TRUE(s.ok());
  const store::PasswordRecord r = password_record(*s);
  const ScramSecret s1 = scram_secret(r, ScramHash::kSha1);
  EXPECT_EQ(s1.salt, s->scram_sha1.salt);
  EXPECT_EQ(s1.iterations, kScramSha1Iterations);
  EXPECT_EQ(s1.stored_key, s->scram_sha1.stored_key);
  EXPECT_EQ(s1.server_key, s->scram_sha1.server_key);
  const ScramSecret s256 = scram_secret(r, ScramHash::kSha256);
  EXPECT_EQ(s256.iterations, kScramSha256Iterations);
  EXPECT_TRUE(verify_plain(s256, ScramHash::kSha256, kPassword));
  const CramMd5Secret cm = cram_md5_secret(r);
  EXPECT_TRUE(cram_md5_secret_usable(cm));
  EXPECT_EQ(cm.ipad_state, s->cram_md5.ipad_state);
  const sasl::PasswordSecrets back = password_secrets(r);
  EXPECT_EQ(back.scram_sha1.stored_key, s->scram_sha1.stored_key);
  EXPECT_EQ(back.scram_sha256.server_key, s->scram_sha256.server_key);
  EXPECT_EQ(back.scram_sha256.iterations, kScramSha256Iterations);
  EXPECT_EQ(back.cram_md5.opad_state, s->cram_md5.opad_state);

  store::PasswordRecord bad = r;
  bad.scram_sha256_iterations = int64_t{1} << 40;  // does not fit an int
  EXPECT_FALSE(scram_secret_usable(ScramHash::kSha256, scram_secret(bad, ScramHash::kSha256)));
  bad.cram_md5_opad.clear();
  EXPECT_FALSE(cram_md5_secret_usable(cram_md5_secret(bad)));
  EXPECT_FALSE(scram_secret_usable(ScramHash::kSha1, scram_secret({}, ScramHash::kSha1)));
}

}  // namespace
}  // namespace mox::auth
