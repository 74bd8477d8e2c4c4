// Tests for lib/sasl: every server mechanism against its client, with a fake
// credentials lookup: right and wrong password, unknown user, disabled
// account, accounts without a password, channel binding (match, mismatch,
// downgrade, -PLUS without TLS), authorization identities, EXTERNAL with a
// TLS client certificate account, abort, malformed messages.
#include "sasl/sasl.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "auth/attempt.h"
#include "sasl/client.h"
#include "sasl/scram_core.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

constexpr const char* kPassword = "correct horse";

const PasswordSecrets& secrets() {
  static const PasswordSecrets r = [] {
    Result<PasswordSecrets> s = derive_secrets(kPassword);
    EXPECT_TRUE(s.ok());
    return *s;
  }();
  return r;
}

// Usernames → users; "mjl@example.com" and "mjl+tag@example.com" and
// "mjl@other.example" are the same account, as the config lookup would say.
class FakeCredentials : public Credentials {
 public:
  FakeCredentials() {
    add("mjl@example.com", "mjl", true, "");
    add("mjl+tag@example.com", "mjl", true, "");
    add("mjl@other.example", "mjl", true, "");
    add("other@example.com", "other", true, "");
    add("disabled@example.com", "disabled", true, "testing");
    add("nopass@example.com", "nopass", false, "");
    add("a,b=c@example.com", "comma", true, "");
  }
  Result<AuthUser> lookup(std::string_view username) override {
    ++lookups;
    if (fail_internal) return internal_error("database is locked");
    auto it = users_.find(std::string(username));
    if (it == users_.end()) return not_found("unknown user");
    return it->second;
  }
  int lookups = 0;
  bool fail_internal = false;

 private:
  void add(const std::string& user, const std::string& account, bool password,
           const std::string& disabled) {
    AuthUser u;
    u.account = account;
    u.login_address = user;
    if (password) u.password = secrets();
    u.login_disabled = disabled;
    users_[user] = u;
  }
  std::map<std::string, AuthUser> users_;
};

struct Exchange {
  Step last;
  bool client_done = false;
  std::string client_error;  // set if the client refused a challenge
  int round_trips = 0;
};

// Runs server and client against each other. With use_ir, the client's first
// message goes as initial response; otherwise after the server's first,
// empty, challenge (IMAP without SASL-IR).
Exchange run(Mechanism& server, ClientMechanism& client, bool use_ir = true) {
  Exchange x;
  Result<std::optional<std::string>> first = client.start();
  EXPECT_TRUE(first.ok());
  if (use_ir && *first) {
    x.last = server.start(**first);
  } else {
    x.last = server.start(std::nullopt);
    if (*first && x.last.outcome == Outcome::kContinue) {
      EXPECT_EQ(x.last.challenge, "");
      ++x.round_trips;
      x.last = server.next(**first);
    }
  }
  while (x.last.outcome == Outcome::kContinue && x.round_trips < 10) {
    ++x.round_trips;
    Result<std::string> r = client.next(x.last.challenge);
    if (!r.ok()) {
      x.client_error = r.error().message;
      x.last = server.abort();
      break;
    }
    x.last = server.next(*r);
  }
  x.client_done = client.done();
  return x;
}

Context tls_context(FakeCredentials& creds) {
  Context ctx;
  ctx.creds = &creds;
  ctx.tls = true;
  ctx.channel_binding = std::string("\x01\x02tls-exporter-bytes\x00\xff", 22);
  ctx.hostname = "mail.example.com";
  return ctx;
}

std::unique_ptr<Mechanism> server(std::string_view name, const Context& ctx) {
  Result<std::unique_ptr<Mechanism>> m = make_mechanism(name, ctx);
  EXPECT_TRUE(m.ok()) << name;
  return m.ok() ? std::move(m).value() : nullptr;
}

std::unique_ptr<ClientMechanism> client(std::string_view name, ClientCredentials c) {
  Result<std::unique_ptr<ClientMechanism>> m = make_client_mechanism(name, std::move(c));
  EXPECT_TRUE(m.ok()) << name << ": " << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m).value() : nullptr;
}

ClientCredentials creds_for(const Context& ctx, std::string user, std::string password,
                            std::string_view mech) {
  ClientCredentials c;
  c.username = std::move(user);
  c.password = std::move(password);
  if (mech.ends_with("-PLUS")) c.channel_binding = ctx.channel_binding;
  return c;
}

const char* const kPasswordMechs[] = {"PLAIN",
                                      "LOGIN",
                                      "CRAM-MD5",
                                      "SCRAM-SHA-1",
                                      "SCRAM-SHA-256",
                                      "SCRAM-SHA-1-PLUS",
                                      "SCRAM-SHA-256-PLUS"};

// ---- Every mechanism, both ways of starting ---------------------------------

TEST(Sasl, RightPasswordEveryMechanism) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    for (bool ir : {true, false}) {
      auto s = server(name, ctx);
      auto c = client(name, creds_for(ctx, "mjl@example.com", kPassword, name));
      Exchange x = run(*s, *c, ir);
      EXPECT_EQ(x.last.outcome, Outcome::kSuccess) << name << " " << x.last.message;
      EXPECT_EQ(x.last.failure, Failure::kNone) << name;
      EXPECT_TRUE(x.client_done) << name;
      EXPECT_TRUE(s->done()) << name;
      EXPECT_EQ(s->account(), "mjl") << name;
      EXPECT_EQ(s->attempt_account(), "mjl") << name;
      EXPECT_EQ(s->username(), "mjl@example.com") << name;
      EXPECT_EQ(s->name(), name);
      EXPECT_EQ(attempt_result(x.last.failure), "ok");
    }
  }
}

TEST(Sasl, OtherAddressesOfTheAccount) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    for (const char* user : {"mjl+tag@example.com", "mjl@other.example"}) {
      auto s = server(name, ctx);
      Exchange x = run(*s, *client(name, creds_for(ctx, user, kPassword, name)));
      EXPECT_EQ(x.last.outcome, Outcome::kSuccess) << name << " " << user;
      EXPECT_EQ(s->account(), "mjl");
      EXPECT_EQ(s->username(), user);
    }
  }
}

TEST(Sasl, WrongPasswordIsBadCreds) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "mjl@example.com", "wrong horse", name)));
    EXPECT_EQ(x.last.outcome, Outcome::kFailure) << name;
    EXPECT_EQ(x.last.failure, Failure::kBadCreds) << name;
    EXPECT_EQ(x.last.message, "bad credentials") << name;
    // A SCRAM client never saw v=; the others sent all they had.
    EXPECT_EQ(x.client_done, !std::string_view(name).starts_with("SCRAM")) << name;
    EXPECT_EQ(s->account(), "") << name;
    EXPECT_EQ(s->attempt_account(), "mjl") << name;  // recorded on the account
    EXPECT_EQ(s->username(), "mjl@example.com") << name;
    EXPECT_EQ(attempt_result(x.last.failure), "badcreds");
  }
}

TEST(Sasl, UnknownUserIsBadCreds) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "nobody@example.com", kPassword, name)));
    EXPECT_EQ(x.last.failure, Failure::kBadCreds) << name;
    EXPECT_EQ(x.last.message, "bad credentials") << name;
    EXPECT_EQ(s->account(), "");
    EXPECT_EQ(s->attempt_account(), "");
    EXPECT_EQ(s->username(), "nobody@example.com") << name;
  }
}

// domains.conf(5) LoginDisabled: LoginDisabled only after the credentials were
// verified.
TEST(Sasl, LoginDisabledOnlyAfterVerification) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "disabled@example.com", kPassword, name)));
    EXPECT_EQ(x.last.failure, Failure::kLoginDisabled) << name;
    EXPECT_EQ(x.last.message, "login disabled for account: testing") << name;
    EXPECT_EQ(s->account(), "") << name;
    EXPECT_EQ(attempt_result(x.last.failure), "logindisabled");

    s = server(name, ctx);
    x = run(*s, *client(name, creds_for(ctx, "disabled@example.com", "wrong horse", name)));
    EXPECT_EQ(x.last.failure, Failure::kBadCreds) << name;
    EXPECT_EQ(x.last.message.find("testing"), std::string::npos) << name;
  }
}

TEST(Sasl, AccountWithoutPassword) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "nopass@example.com", kPassword, name)));
    const std::string_view n = name;
    if (n == "PLAIN" || n == "LOGIN") {
      EXPECT_EQ(x.last.failure, Failure::kBadCreds) << name;
    } else {
      // mox-smtpd(8) "Authentication": "454 4.3.0 scram not possible".
      EXPECT_EQ(x.last.failure, Failure::kScramNotPossible) << name;
      EXPECT_EQ(attempt_result(x.last.failure), "error");
    }
  }
}

TEST(Sasl, LookupErrorIsError) {
  FakeCredentials fc;
  fc.fail_internal = true;
  const Context ctx = tls_context(fc);
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "mjl@example.com", kPassword, name)));
    EXPECT_EQ(x.last.failure, Failure::kError) << name;
    EXPECT_EQ(attempt_result(x.last.failure), "error");
  }
}

// ---- Channel binding (RFC 5802 §6, RFC 9266) --------------------------------

TEST(Sasl, ChannelBindingMismatch) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : {"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"}) {
    ClientCredentials c = creds_for(ctx, "mjl@example.com", kPassword, name);
    c.channel_binding = "what a man in the middle sees";
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, c));
    EXPECT_EQ(x.last.failure, Failure::kBadChanBind) << name;
    EXPECT_EQ(attempt_result(x.last.failure), "badchanbind");
    EXPECT_EQ(s->account(), "");
  }
}

TEST(Sasl, PlusWithoutChannelBinding) {
  FakeCredentials fc;
  Context plain_ctx;
  plain_ctx.creds = &fc;
  Context tls12 = plain_ctx;
  tls12.tls = true;  // TLS, but no tls-exporter (TLS 1.2 without EMS)
  for (const char* name : {"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"}) {
    ClientCredentials c;
    c.username = "mjl@example.com";
    c.password = kPassword;
    c.channel_binding = "client thinks it has tls";
    auto s = server(name, plain_ctx);
    Exchange x = run(*s, *client(name, c));
    EXPECT_EQ(x.last.failure, Failure::kNoTLS) << name;
    EXPECT_EQ(fc.lookups, 0);
    EXPECT_EQ(attempt_result(x.last.failure), "badprotocol");
    s = server(name, tls12);
    x = run(*s, *client(name, c));
    EXPECT_EQ(x.last.failure, Failure::kBadChanBind) << name;
  }
}

// A client able to bind that gets no -PLUS offer sends "y"; if the server
// could bind after all, -PLUS was stripped: a downgrade (RFC 5802 §6).
TEST(Sasl, DowngradeDetected) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  Context no_cb = ctx;
  no_cb.channel_binding.reset();
  for (const char* name : {"SCRAM-SHA-1", "SCRAM-SHA-256"}) {
    ClientCredentials c = creds_for(ctx, "mjl@example.com", kPassword, name);
    c.channel_binding = ctx.channel_binding;  // "y" flag
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, c));
    EXPECT_EQ(x.last.failure, Failure::kBadChanBind) << name;
    s = server(name, no_cb);
    x = run(*s, *client(name, c));
    EXPECT_EQ(x.last.outcome, Outcome::kSuccess) << name;
  }
}

TEST(Sasl, BareScramWithoutTLS) {
  FakeCredentials fc;
  Context ctx;
  ctx.creds = &fc;
  for (const char* name : {"SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"}) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "mjl@example.com", kPassword, name)));
    EXPECT_EQ(x.last.outcome, Outcome::kSuccess) << name;
  }
}

// ---- Authorization identities -----------------------------------------------

TEST(Sasl, PlainAuthzid) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  ClientCredentials c{"mjl@example.com", kPassword, "mjl@example.com", std::nullopt};
  auto s = server("PLAIN", ctx);
  EXPECT_EQ(run(*s, *client("PLAIN", c)).last.outcome, Outcome::kSuccess);

  c.authzid = "other@example.com";
  s = server("PLAIN", ctx);
  Exchange x = run(*s, *client("PLAIN", c));
  EXPECT_EQ(x.last.failure, Failure::kOtherRole);
  EXPECT_EQ(x.last.message, "cannot assume other role");
  EXPECT_EQ(attempt_result(x.last.failure), "badcreds");
  EXPECT_EQ(fc.lookups, 1);  // refused before looking up
}

TEST(Sasl, ScramAuthzid) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : {"SCRAM-SHA-256", "SCRAM-SHA-1-PLUS"}) {
    ClientCredentials c = creds_for(ctx, "mjl@example.com", kPassword, name);
    c.authzid = "mjl@example.com";
    auto s = server(name, ctx);
    EXPECT_EQ(run(*s, *client(name, c)).last.outcome, Outcome::kSuccess) << name;
    c.authzid = "other@example.com";
    s = server(name, ctx);
    EXPECT_EQ(run(*s, *client(name, c)).last.failure, Failure::kOtherRole) << name;
  }
}

// saslname escaping of "," and "=" (RFC 5802 §5.1) on both sides.
TEST(Sasl, ScramUsernameEscaping) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  auto s = server("SCRAM-SHA-256", ctx);
  Exchange x = run(*s, *client("SCRAM-SHA-256",
                               creds_for(ctx, "a,b=c@example.com", kPassword, "SCRAM-SHA-256")));
  EXPECT_EQ(x.last.outcome, Outcome::kSuccess);
  EXPECT_EQ(s->username(), "a,b=c@example.com");
  EXPECT_EQ(s->account(), "comma");
}

// ---- EXTERNAL (mox-imapd(8) "TLS client certificates", mox-smtpd(8)) -----

Context cert_context(FakeCredentials& fc, std::string account, std::string address) {
  Context ctx = tls_context(fc);
  ctx.tls_cert_account = std::move(account);
  ctx.tls_cert_login_address = std::move(address);
  return ctx;
}

Exchange run_external(const Context& ctx, std::string authzid, bool ir = true,
                      std::unique_ptr<Mechanism>* keep = nullptr) {
  auto s = server("EXTERNAL", ctx);
  ClientCredentials c;
  c.authzid = std::move(authzid);
  Exchange x = run(*s, *client("EXTERNAL", c), ir);
  if (keep) *keep = std::move(s);
  return x;
}

TEST(Sasl, ExternalNeedsTLSAndCertificate) {
  FakeCredentials fc;
  Context ctx;
  ctx.creds = &fc;
  Exchange x = run_external(ctx, "");
  EXPECT_EQ(x.last.failure, Failure::kNoTLS);
  EXPECT_EQ(x.last.message, "tls required for tls client certificate authentication");
  ctx.tls = true;
  x = run_external(ctx, "");
  EXPECT_EQ(x.last.failure, Failure::kNoCert);
  EXPECT_EQ(x.last.message,
            "missing client certificate, required for tls client certificate authentication");
  EXPECT_EQ(fc.lookups, 0);
}

TEST(Sasl, ExternalIdentities) {
  FakeCredentials fc;
  const Context ctx = cert_context(fc, "mjl", "mjl@example.com");
  for (bool ir : {true, false}) {
    std::unique_ptr<Mechanism> s;
    // Empty identity: the certificate's login address.
    Exchange x = run_external(ctx, "", ir, &s);
    EXPECT_EQ(x.last.outcome, Outcome::kSuccess);
    EXPECT_EQ(s->account(), "mjl");
    EXPECT_EQ(s->username(), "mjl@example.com");
    EXPECT_EQ(s->attempt_mech(), "external");
    // Another address of the same account.
    x = run_external(ctx, "mjl@other.example", ir, &s);
    EXPECT_EQ(x.last.outcome, Outcome::kSuccess);
    EXPECT_EQ(s->username(), "mjl@other.example");
    // Another account's address.
    x = run_external(ctx, "other@example.com", ir, &s);
    EXPECT_EQ(x.last.failure, Failure::kOtherAccount);
    EXPECT_EQ(x.last.message,
              "authentication failed, tls client certificate public key belongs to another "
              "account");
    EXPECT_EQ(s->account(), "");
    // Unknown address.
    x = run_external(ctx, "nobody@example.com", ir);
    EXPECT_EQ(x.last.failure, Failure::kBadCreds);
    // Malformed identity.
    x = run_external(ctx, std::string("mjl\0x", 5), ir);
    EXPECT_EQ(x.last.failure, Failure::kSyntax);
  }
}

TEST(Sasl, ExternalLoginDisabled) {
  FakeCredentials fc;
  const Context ctx = cert_context(fc, "disabled", "disabled@example.com");
  Exchange x = run_external(ctx, "");
  EXPECT_EQ(x.last.failure, Failure::kLoginDisabled);
  EXPECT_EQ(x.last.message, "login disabled for account: testing");
}

// mox-imapd(8) "TLS client certificates": other mechanisms after certificate
// authentication must name the same account; the username may be another
// address of it.
TEST(Sasl, CertificateAccountConstrainsOtherMechanisms) {
  FakeCredentials fc;
  const Context ctx = cert_context(fc, "mjl", "mjl@example.com");
  for (const char* name : kPasswordMechs) {
    auto s = server(name, ctx);
    Exchange x = run(*s, *client(name, creds_for(ctx, "mjl@other.example", kPassword, name)));
    EXPECT_EQ(x.last.outcome, Outcome::kSuccess) << name;
    EXPECT_EQ(s->username(), "mjl@other.example");

    s = server(name, ctx);
    x = run(*s, *client(name, creds_for(ctx, "other@example.com", kPassword, name)));
    EXPECT_EQ(x.last.failure, Failure::kOtherAccount) << name;
    EXPECT_EQ(attempt_result(x.last.failure), "badcreds");

    s = server(name, ctx);
    x = run(*s, *client(name, creds_for(ctx, "other@example.com", "wrong horse", name)));
    EXPECT_EQ(x.last.failure, Failure::kBadCreds) << name;
  }
}

// ---- Abort, order, malformed input -------------------------------------------

TEST(Sasl, Abort) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "EXTERNAL"}) {
    auto s = server(name, ctx);
    Step st = s->start(std::nullopt);
    if (std::string_view(name) == "EXTERNAL") {
      EXPECT_EQ(st.failure, Failure::kNoCert);
      continue;
    }
    ASSERT_EQ(st.outcome, Outcome::kContinue) << name;
    st = s->abort();
    EXPECT_EQ(st.outcome, Outcome::kFailure);
    EXPECT_EQ(st.failure, Failure::kAborted);
    EXPECT_EQ(st.message, "authentication aborted by client");
    EXPECT_EQ(attempt_result(st.failure), "aborted");
    EXPECT_TRUE(s->done());
    EXPECT_EQ(s->next("x").failure, Failure::kError);  // over
  }
  // Abort in the middle of SCRAM, after the user was looked up.
  auto s = server("SCRAM-SHA-256", ctx);
  auto c = client("SCRAM-SHA-256", creds_for(ctx, "mjl@example.com", kPassword, "SCRAM-SHA-256"));
  Step st = s->start(**c->start());
  ASSERT_EQ(st.outcome, Outcome::kContinue);
  EXPECT_EQ(s->abort().failure, Failure::kAborted);
  EXPECT_EQ(s->account(), "");
  EXPECT_EQ(s->username(), "mjl@example.com");
}

TEST(Sasl, CallsOutOfOrder) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  auto s = server("PLAIN", ctx);
  EXPECT_EQ(s->next("x").failure, Failure::kError);
  s = server("PLAIN", ctx);
  EXPECT_EQ(s->start(std::nullopt).outcome, Outcome::kContinue);
  EXPECT_EQ(s->start(std::nullopt).failure, Failure::kError);
}

TEST(Sasl, MalformedPlain) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  const std::string bad[] = {
      "",
      "mjl@example.com",
      std::string("mjl@example.com\0pw", 18),
      std::string("\0\0correct horse", 15),          // empty authcid
      std::string("\0mjl@example.com\0", 17),        // empty password
      std::string("\0mjl@example.com\0a\0b", 20),    // three NULs
      std::string("\0mjl\xff@example.com\0pw", 20),  // invalid UTF-8
  };
  for (const std::string& msg : bad) {
    auto s = server("PLAIN", ctx);
    Step st = s->start(msg);
    EXPECT_EQ(st.failure, Failure::kSyntax) << msg.size();
    EXPECT_EQ(attempt_result(st.failure), "badprotocol");
  }
  EXPECT_EQ(fc.lookups, 0);
  auto s = server("PLAIN", ctx);
  EXPECT_EQ(s->start(std::string(kMaxResponseSize + 1, 'x')).failure, Failure::kSyntax);
}

TEST(Sasl, LoginChallenges) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  auto s = server("LOGIN", ctx);
  Step st = s->start(std::nullopt);
  EXPECT_EQ(st.challenge, "Username:");
  st = s->next("mjl@example.com");
  EXPECT_EQ(st.challenge, "Password:");
  EXPECT_EQ(s->username(), "mjl@example.com");
  EXPECT_EQ(s->next(kPassword).outcome, Outcome::kSuccess);
  // Recorded as "login" (docs/DESIGN.md "Differences from mox").
  EXPECT_EQ(s->attempt_mech(), "login");

  // The user name may come as initial response.
  s = server("LOGIN", ctx);
  st = s->start("mjl@example.com");
  EXPECT_EQ(st.challenge, "Password:");
  EXPECT_EQ(s->next(kPassword).outcome, Outcome::kSuccess);

  s = server("LOGIN", ctx);
  s->start("mjl@example.com");
  EXPECT_EQ(s->next("").failure, Failure::kBadCreds);  // empty password
}

TEST(Sasl, CramMd5Challenge) {
  FakeCredentials fc;
  Context ctx = tls_context(fc);
  ctx.now = 697170952;
  auto s = server("CRAM-MD5", ctx);
  Step st = s->start(std::nullopt);
  ASSERT_EQ(st.outcome, Outcome::kContinue);
  // <random.time@hostname> (RFC 2195 §2)
  const std::string& c = st.challenge;
  ASSERT_GT(c.size(), 2u);
  EXPECT_EQ(c.front(), '<');
  EXPECT_TRUE(c.ends_with(".697170952@mail.example.com>")) << c;
  for (size_t i = 1; c[i] != '.'; ++i) EXPECT_TRUE(c[i] >= '0' && c[i] <= '9') << c;
  // Two exchanges get different challenges.
  EXPECT_NE(server("CRAM-MD5", ctx)->start(std::nullopt).challenge, c);

  ctx.hostname.clear();
  EXPECT_TRUE(server("CRAM-MD5", ctx)->start(std::nullopt).challenge.ends_with("@localhost>"));

  // No initial response allowed, not even an empty one.
  EXPECT_EQ(server("CRAM-MD5", ctx)->start("").failure, Failure::kSyntax);

  for (const char* bad :
       {"", "mjl@example.com", "mjl@example.com 123", " b913a602c7eda7a495b4e6e7334d3890",
        "mjl@example.com b913a602c7eda7a495b4e6e7334d389z"}) {
    s = server("CRAM-MD5", ctx);
    s->start(std::nullopt);
    EXPECT_EQ(s->next(bad).failure, Failure::kSyntax) << bad;
  }
}

// RFC 2195 §2 example, client side.
TEST(Sasl, CramMd5ClientVector) {
  auto c = client("CRAM-MD5", ClientCredentials{"tim", "tanstaaftanstaaf", "", std::nullopt});
  EXPECT_FALSE(c->start()->has_value());
  Result<std::string> r = c->next("<1896.697170952@postoffice.reston.mci.net>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "tim b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_TRUE(c->done());
  EXPECT_FALSE(c->next("again").ok());
}

TEST(Sasl, MalformedScram) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* bad : {"", "garbage", "n,,", "n,,n=mjl@example.com", "x,,n=a,r=b",
                          "n,,m=ext,n=mjl@example.com,r=abc"}) {
    auto s = server("SCRAM-SHA-256", ctx);
    EXPECT_EQ(s->start(std::string(bad)).failure, Failure::kSyntax) << bad;
  }
  // A -PLUS mechanism without "p=" in the header is refused as a binding problem.
  auto s = server("SCRAM-SHA-256-PLUS", ctx);
  EXPECT_EQ(s->start("n,,n=mjl@example.com,r=abcdef").failure, Failure::kBadChanBind);

  // Client-final with the wrong nonce.
  s = server("SCRAM-SHA-256", ctx);
  Step st = s->start("n,,n=mjl@example.com,r=abcdef");
  ASSERT_EQ(st.outcome, Outcome::kContinue);
  EXPECT_EQ(s->next("c=biws,r=abcdefXYZ,p=AAAA").failure, Failure::kSyntax);

  // Anything but an empty response after the server-final message.
  s = server("SCRAM-SHA-256", ctx);
  auto c = client("SCRAM-SHA-256", creds_for(ctx, "mjl@example.com", kPassword, "SCRAM-SHA-256"));
  st = s->start(**c->start());
  st = s->next(*c->next(st.challenge));
  ASSERT_EQ(st.outcome, Outcome::kContinue);
  ASSERT_TRUE(st.challenge.starts_with("v="));
  EXPECT_EQ(s->next("extra").failure, Failure::kSyntax);
  EXPECT_EQ(s->account(), "");
}

// ---- Factory, offers, attempt values -----------------------------------------

TEST(Sasl, MakeMechanism) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  for (const char* name : {"plain", "Login", "cram-md5", "scram-sha-256-plus", "external"}) {
    Result<std::unique_ptr<Mechanism>> m = make_mechanism(name, ctx);
    ASSERT_TRUE(m.ok()) << name;
  }
  EXPECT_EQ((*make_mechanism("scram-sha-256-plus", ctx))->name(), "SCRAM-SHA-256-PLUS");
  EXPECT_EQ((*make_mechanism("scram-sha-256-plus", ctx))->attempt_mech(), "scram-sha-256-plus");
  EXPECT_EQ((*make_mechanism("Cram-MD5", ctx))->attempt_mech(), "cram-md5");
  for (const char* name : {"", "GSSAPI", "XOAUTH2", "SCRAM-SHA-512", "PLAIN "}) {
    Result<std::unique_ptr<Mechanism>> m = make_mechanism(name, ctx);
    ASSERT_FALSE(m.ok()) << name;
    EXPECT_EQ(m.error().kind, ErrorKind::kUser);
    EXPECT_EQ(m.error().message, "method not supported");
  }
  Context none;
  EXPECT_EQ(make_mechanism("PLAIN", none).error().kind, ErrorKind::kInternal);
}

TEST(Sasl, ServerMechanisms) {
  FakeCredentials fc;
  Context ctx;
  ctx.creds = &fc;
  using V = std::vector<std::string>;
  EXPECT_EQ(server_mechanisms(ctx, false), (V{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"}));
  EXPECT_EQ(server_mechanisms(ctx, true),
            (V{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"}));
  ctx = tls_context(fc);
  EXPECT_EQ(server_mechanisms(ctx, true),
            (V{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "CRAM-MD5",
               "PLAIN", "LOGIN"}));
  ctx = cert_context(fc, "mjl", "mjl@example.com");
  // mox-smtpd(8) "Authentication": "250-AUTH EXTERNAL SCRAM-SHA-256-PLUS ...
  // PLAIN LOGIN".
  EXPECT_EQ(server_mechanisms(ctx, true),
            (V{"EXTERNAL", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1",
               "CRAM-MD5", "PLAIN", "LOGIN"}));
  EXPECT_TRUE(sends_plaintext_password("plain"));
  EXPECT_TRUE(sends_plaintext_password("LOGIN"));
  EXPECT_FALSE(sends_plaintext_password("CRAM-MD5"));
}

TEST(Sasl, AttemptResults) {
  EXPECT_EQ(attempt_result(Failure::kNone), "ok");
  EXPECT_EQ(attempt_result(Failure::kBadCreds), "badcreds");
  EXPECT_EQ(attempt_result(Failure::kBadChanBind), "badchanbind");
  EXPECT_EQ(attempt_result(Failure::kAborted), "aborted");
  EXPECT_EQ(attempt_result(Failure::kSyntax), "badprotocol");
  EXPECT_EQ(attempt_result(Failure::kScramNotPossible), "error");
  EXPECT_EQ(attempt_result(Failure::kLoginDisabled), "logindisabled");
  EXPECT_EQ(attempt_result(Failure::kNoTLS), "badprotocol");
  EXPECT_EQ(attempt_result(Failure::kNoCert), "badcreds");
  EXPECT_EQ(attempt_result(Failure::kOtherAccount), "badcreds");
  EXPECT_EQ(attempt_result(Failure::kOtherRole), "badcreds");
  EXPECT_EQ(attempt_result(Failure::kError), "error");
}

TEST(Sasl, DescribeAttempt) {
  FakeCredentials fc;
  const Context ctx = tls_context(fc);
  auto s = server("PLAIN", ctx);
  Step st = s->start(std::string("\0mjl@example.com\0wrong horse", 28));
  ASSERT_EQ(st.failure, Failure::kBadCreds);
  auth::AttemptBuilder b(auth::kProtocolSubmission, "192.0.2.1", "192.0.2.2");
  auth::describe_attempt(b, *s, st.failure);
  auth::LoginAttempt a = b.build();
  EXPECT_EQ(a.auth_mech, "plain");
  EXPECT_EQ(a.login_address, "mjl@example.com");
  EXPECT_EQ(a.account_name, "mjl");
  EXPECT_EQ(a.result, "badcreds");

  s = server("PLAIN", ctx);
  st = s->start(std::string("\0nobody@example.com\0x", 21));
  auth::describe_attempt(b, *s, st.failure);
  EXPECT_EQ(b.build().account_name, "-");
}

// ---- Client side ------------------------------------------------------------

TEST(SaslClient, Factory) {
  ClientCredentials c{"mjl@example.com", kPassword, "", std::nullopt};
  EXPECT_EQ(make_client_mechanism("GSSAPI", c).error().kind, ErrorKind::kUser);
  EXPECT_EQ(make_client_mechanism("SCRAM-SHA-256-PLUS", c).error().kind, ErrorKind::kUser);
  ClientCredentials nouser = c;
  nouser.username.clear();
  EXPECT_FALSE(make_client_mechanism("PLAIN", nouser).ok());
  EXPECT_TRUE(make_client_mechanism("external", nouser).ok());
  EXPECT_EQ((*make_client_mechanism("scram-sha-1", c))->name(), "SCRAM-SHA-1");
}

TEST(SaslClient, PlainAndLoginMessages) {
  auto c = client("PLAIN", ClientCredentials{"u@x", "pw", "", std::nullopt});
  EXPECT_EQ(**c->start(), std::string("\0u@x\0pw", 7));
  EXPECT_TRUE(c->done());
  EXPECT_FALSE(c->next("").ok());
  c = client("PLAIN", ClientCredentials{"u@x", "pw", "z@x", std::nullopt});
  EXPECT_EQ(**c->start(), std::string("z@x\0u@x\0pw", 10));

  c = client("LOGIN", ClientCredentials{"u@x", "pw", "", std::nullopt});
  EXPECT_FALSE(c->start()->has_value());
  EXPECT_EQ(*c->next("Username:"), "u@x");
  EXPECT_FALSE(c->done());
  EXPECT_EQ(*c->next("Password:"), "pw");
  EXPECT_TRUE(c->done());
  EXPECT_FALSE(c->next("More:").ok());

  c = client("EXTERNAL", ClientCredentials{"", "", "", std::nullopt});
  EXPECT_EQ(**c->start(), "");
}

// The SCRAM client against the existing ScramServer with a fixed server
// nonce, then with a server that lies.
TEST(SaslClient, ScramServerVerification) {
  const ScramSecret secret = secrets().scram_sha256;
  auto run_with = [&](auto tamper) -> Result<std::string> {
    ScramServer srv({ScramHash::kSha256, false}, std::nullopt, "servernonce");
    auto c = client("SCRAM-SHA-256", ClientCredentials{"mjl@example.com", kPassword, "", {}});
    std::string first = **c->start();
    EXPECT_TRUE(first.starts_with("n,,n=mjl@example.com,r="));
    EXPECT_TRUE(srv.client_first(first).ok());
    Result<std::string> final_msg = c->next(srv.server_first(secret));
    EXPECT_TRUE(final_msg.ok());
    Result<std::string> v = srv.client_final(*final_msg);
    EXPECT_TRUE(v.ok());
    Result<std::string> r = c->next(tamper(*v));
    EXPECT_EQ(c->done(), r.ok());
    return r;
  };
  Result<std::string> r = run_with([](std::string v) { return v; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
  r = run_with([](std::string v) {
    v[3] = v[3] == 'A' ? 'B' : 'A';
    return v;
  });
  EXPECT_EQ(r.error().kind, ErrorKind::kPermanent);
  r = run_with([](std::string) { return std::string("e=invalid-proof"); });
  EXPECT_EQ(r.error().kind, ErrorKind::kPermanent);
  EXPECT_NE(r.error().message.find("invalid-proof"), std::string::npos);
  r = run_with([](std::string) { return std::string("x=1"); });
  EXPECT_EQ(r.error().kind, ErrorKind::kSyntax);
}

TEST(SaslClient, ScramRejectsBadServerFirst) {
  auto first_of = [](ClientMechanism& c) { return **c.start(); };
  for (auto make_bad : std::vector<std::string (*)(const std::string&)>{
           [](const std::string&) { return std::string("r=othernonce,s=c2FsdA==,i=4096"); },
           [](const std::string& n) { return "r=" + n + ",s=c2FsdA==,i=4096"; },  // not extended
           [](const std::string& n) { return "r=" + n + "x,s=!!!,i=4096"; },
           [](const std::string& n) { return "r=" + n + "x,s=,i=4096"; },
           [](const std::string& n) { return "r=" + n + "x,s=c2FsdA==,i=0"; },
           [](const std::string& n) { return "r=" + n + "x,s=c2FsdA==,i=4096x"; },
           [](const std::string& n) { return "r=" + n + "x,s=c2FsdA==,i=99999999"; },
           [](const std::string& n) { return "m=ext,r=" + n + "x,s=c2FsdA==,i=4096"; },
           [](const std::string& n) { return "r=" + n + "x"; },
       }) {
    auto c = client("SCRAM-SHA-1", ClientCredentials{"u@x", kPassword, "", std::nullopt});
    const std::string first = first_of(*c);
    const std::string nonce = first.substr(first.find(",r=") + 3);
    Result<std::string> r = c->next(make_bad(nonce));
    ASSERT_FALSE(r.ok()) << make_bad(nonce);
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax) << make_bad(nonce);
    EXPECT_FALSE(c->next("v=AAAA").ok());  // failed for good
  }
}

TEST(SaslClient, ScramGs2Header) {
  ClientCredentials c{"u@x", kPassword, "", std::nullopt};
  EXPECT_TRUE((**client("SCRAM-SHA-1", c)->start()).starts_with("n,,n=u@x,r="));
  c.authzid = "a=b,c@x";
  EXPECT_TRUE((**client("SCRAM-SHA-1", c)->start()).starts_with("n,a=a=3Db=2Cc@x,n=u@x,r="));
  c.authzid.clear();
  c.channel_binding = "cb";
  EXPECT_TRUE((**client("SCRAM-SHA-1", c)->start()).starts_with("y,,"));
  EXPECT_TRUE((**client("SCRAM-SHA-1-PLUS", c)->start()).starts_with("p=tls-exporter,,"));
}

TEST(SaslClient, Choose) {
  ClientCredentials c{"u@x", "pw", "", std::nullopt};
  const std::vector<std::string> all = {
      "EXTERNAL",    "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS",
      "SCRAM-SHA-1", "CRAM-MD5",           "PLAIN",         "LOGIN"};
  EXPECT_EQ(choose_client_mechanism(all, c), "SCRAM-SHA-256");
  c.channel_binding = "cb";
  EXPECT_EQ(choose_client_mechanism(all, c), "SCRAM-SHA-256-PLUS");
  EXPECT_EQ(choose_client_mechanism({"scram-sha-1-plus", "plain"}, c), "SCRAM-SHA-1-PLUS");
  EXPECT_EQ(choose_client_mechanism({"LOGIN", "PLAIN"}, c), "PLAIN");
  EXPECT_EQ(choose_client_mechanism({"GSSAPI"}, c), std::nullopt);
  c.password.clear();
  EXPECT_EQ(choose_client_mechanism(all, c), "EXTERNAL");
  EXPECT_EQ(choose_client_mechanism({"PLAIN"}, c), std::nullopt);
}

}  // namespace
}  // namespace mox::sasl
