// Tests for lib/sendmail: the sendmail command line, moxsubmit.conf and the
// message mox-sendmail composes (From rewritten, -t with Bcc removed, bare
// local names, CRLF). The SMTP side runs in tests/e2e/test_mox_sendmail.py.
#include <gtest/gtest.h>

#include "config/types.h"
#include "crypto/cert.h"
#include "crypto/keys.h"
#include "sendmail/args.h"
#include "sendmail/compose.h"
#include "sendmail/config.h"
#include "sendmail/submit.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace mox::sendmail {
namespace {

Args args(std::vector<std::string> argv) {
  auto a = parse_args(argv);
  EXPECT_TRUE(a.ok()) << a.error().message;
  return a.ok() ? *a : Args();
}

TEST(SendmailArgs, Flags) {
  Args a =
      args({"-i", "-oi", "-odi", "-oem", "-f", "me@example.com", "-FCron Daemon", "--", "-odd"});
  EXPECT_FALSE(a.recipients_from_header);
  EXPECT_EQ(a.envelope_from, "me@example.com");
  EXPECT_EQ(a.full_name, "Cron Daemon");
  EXPECT_EQ(a.recipients, std::vector<std::string>{"-odd"});
  Args t = args({"-t", "-fme@example.com", "-F", "Name", "-B", "8BITMIME", "-v"});
  EXPECT_TRUE(t.recipients_from_header);
  EXPECT_TRUE(t.verbose);
  EXPECT_EQ(t.envelope_from, "me@example.com");
  EXPECT_TRUE(t.recipients.empty());
  Args c = args({"--config", "/tmp/x.conf", "root"});
  EXPECT_EQ(c.config_path, "/tmp/x.conf");
  EXPECT_EQ(c.recipients, std::vector<std::string>{"root"});
  EXPECT_TRUE(args({"--help"}).help);
  EXPECT_EQ(args({"--config=/a"}).config_path, "/a");
  EXPECT_EQ(parse_args({"-f"}).error().kind, ErrorKind::kUser);
  EXPECT_EQ(parse_args({"--config"}).error().kind, ErrorKind::kUser);
}

const char* kConfig =
    "# comment\n"
    "Host: mail.example.com\n"
    "STARTTLS: true\n"
    "Password: secret\n"
    "From: cron@example.com\n"
    "DefaultDestination: admin@example.com\n";

SubmitConfig config(std::string text = kConfig) {
  auto c = parse_submit_config(text, "moxsubmit.conf");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : SubmitConfig();
}

TEST(SendmailConfig, DefaultsAndChecks) {
  SubmitConfig c = config();
  EXPECT_EQ(c.port, 587);
  EXPECT_EQ(c.username, "cron@example.com");
  EXPECT_FALSE(c.local_hostname.empty());
  EXPECT_EQ(config(std::string(kConfig) + "Port: 2525\n").port, 2525);
  SubmitConfig t =
      config("Host: h\nTLS: true\nClientAuthEd25519PrivateKey: x\nFrom: a@b.example\n");
  EXPECT_EQ(t.port, 465);
  auto err = [](std::string text) {
    auto c = parse_submit_config(text, "moxsubmit.conf");
    return c.ok() ? std::string("ok") : c.error().message;
  };
  EXPECT_NE(err("STARTTLS: true\nPassword: x\nFrom: a@b.example\n").find("Host is required"),
            std::string::npos);
  EXPECT_NE(err(std::string(kConfig) + "Nope: 1\n").find("moxsubmit.conf:7"), std::string::npos);
  EXPECT_NE(err(std::string(kConfig) + "TLS: true\n").find("exactly one of TLS and STARTTLS"),
            std::string::npos);
  EXPECT_NE(err(std::string(kConfig) + "ClientAuthCertPrivateKeyPEMFile: /x.pem\n")
                .find("exactly one of Password"),
            std::string::npos);
  EXPECT_NE(
      err("Host: h\nSTARTTLS: true\nClientAuthCertPrivateKeyPEMFile: x.pem\nFrom: a@b.example\n")
          .find("absolute"),
      std::string::npos);
  EXPECT_NE(err(std::string(kConfig) + "RequireTLS: maybe\n").find("RequireTLS"),
            std::string::npos);
  EXPECT_NE(err("Host: h\nSTARTTLS: true\nPassword: x\nFrom: nope\n").find("From"),
            std::string::npos);
}

TEST(SendmailConfig, EveryFieldDocumented) {
  auto text = read_file(std::string(MOX_SOURCE_DIR) + "/man/mox-sendmail.8");
  ASSERT_TRUE(text.ok());
  for (const auto& d : submit_config_schema().docs()) {
    EXPECT_NE(text->find(".It Cm " + d.name), std::string::npos) << d.name;
  }
}

TEST(SendmailCompose, RewritesFromAddsTo) {
  auto m = compose("From: root (Cron Daemon)\nSubject: backup\n\nall fine\n.\n", args({"root"}),
                   config());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->message,
            "From: <cron@example.com>\r\nSubject: backup\r\nTo: <admin@example.com>\r\n\r\nall "
            "fine\r\n.\r\n");
  ASSERT_TRUE(m->mail_from.has_value());
  EXPECT_EQ(m->mail_from->str(), "cron@example.com");
  ASSERT_EQ(m->rcpts.size(), 1u);
  EXPECT_EQ(m->rcpts[0].str(), "admin@example.com");
}

TEST(SendmailCompose, DisplayNameAndEnvelopeFrom) {
  auto m = compose("To: x@example.org\r\n\r\nbody",
                   args({"-F", "J\xc3\xb6rg", "-f", "<>", "x@example.org"}), config());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message,
            "From: =?utf-8?b?SsO2cmc=?= <cron@example.com>\r\nTo: x@example.org\r\n\r\nbody");
  EXPECT_FALSE(m->mail_from.has_value());
  auto q = compose("\nbody\n", args({"-F", "A \"B\"", "x@example.org"}), config());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->message.substr(0, 43), "From: \"A \\\"B\\\"\" <cron@example.com>\r\nTo: <x@");
}

TEST(SendmailCompose, RecipientsFromHeaders) {
  std::string in =
      "To: Bob <bob@example.org>, root\n"
      "Cc: \"Carol, C.\" <carol@example.org>\n"
      "Bcc: secret@example.org,\n bob@example.org\n"
      "Subject: t\n\nhi\n";
  auto m = compose(in, args({"-t"}), config());
  ASSERT_TRUE(m.ok()) << m.error().message;
  std::vector<std::string> got;
  for (const auto& r : m->rcpts) got.push_back(r.str());
  EXPECT_EQ(got, (std::vector<std::string>{"bob@example.org", "admin@example.com",
                                           "carol@example.org", "secret@example.org"}));
  EXPECT_EQ(m->message.find("Bcc"), std::string::npos);
  EXPECT_EQ(m->message.find("secret@"), std::string::npos);
  EXPECT_NE(m->message.find("Cc: \"Carol, C.\" <carol@example.org>\r\n"), std::string::npos);
}

TEST(SendmailCompose, Errors) {
  SubmitConfig no_default = config("Host: h\nSTARTTLS: true\nPassword: x\nFrom: a@b.example\n");
  EXPECT_EQ(compose("\nx\n", args({"root"}), no_default).error().kind, ErrorKind::kUser);
  EXPECT_EQ(compose("Subject: x\n\n", args({"-t"}), config()).error().kind, ErrorKind::kUser);
  EXPECT_EQ(compose("\nx\n", args({"bad@@example.org"}), config()).error().kind, ErrorKind::kUser);
  EXPECT_EQ(compose("\nx\n", args({"-f", "bad", "a@example.org"}), config()).error().kind,
            ErrorKind::kUser);
  EXPECT_EQ(compose("no header here\n\nx\n", args({"a@example.org"}), config()).error().kind,
            ErrorKind::kSyntax);
}

TEST(SendmailCompose, RequireTLSNoAndNoBody) {
  SubmitConfig c = config(std::string(kConfig) + "RequireTLS: no\n");
  auto m = compose("Subject: only a header", args({"a@example.org"}), c);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->message,
            "From: <cron@example.com>\r\nSubject: only a header\r\nTo: <a@example.org>\r\n"
            "TLS-Required: No\r\n\r\n");
}

TEST(SendmailCompose, ToCrlf) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\rd\r"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(to_crlf(""), "");
}

TEST(SendmailClientCert, FromSeed) {
  auto key = crypto::generate_ed25519();
  ASSERT_TRUE(key.ok());
  std::string seed = base64url_encode(crypto::ed25519_seed(key->get()).value());
  SubmitConfig c =
      config("Host: h\nTLS: true\nClientAuthEd25519PrivateKey: " + seed + "\nFrom: a@b.example\n");
  auto ck = client_cert(c);
  ASSERT_TRUE(ck.ok()) << ck.error().message;
  ASSERT_TRUE(*ck);
  // The server identifies the key by its SPKI fingerprint (mox-tlspubkey(8)).
  EXPECT_EQ(crypto::cert_spki_fingerprint((*ck)->leaf.get()).value(),
            crypto::spki_fingerprint(key->get()).value());
  EXPECT_TRUE(crypto::same_public_key((*ck)->key.get(), key->get()));
  c.client_auth_ed25519_private_key = "c2hvcnQ";
  EXPECT_FALSE(client_cert(c).ok());
  SubmitConfig pw = config();
  auto none = client_cert(pw);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST(SendmailClientCert, FromPemFile) {
  auto key = crypto::generate_ecdsa("P-256");
  ASSERT_TRUE(key.ok());
  std::string key_pem = crypto::private_key_pkcs8_pem(key->get()).value();
  std::string cert_pem = crypto::minimal_cert_pem(key->get(), 1).value();
  auto other = crypto::generate_ecdsa("P-256");
  std::string other_cert = crypto::minimal_cert_pem(other->get(), 2).value();
  char dir_tmpl[] = "/tmp/mox-sendmail-test.XXXXXX";
  std::string dir = ::mkdtemp(dir_tmpl);
  auto with = [&](const std::string& name, const std::string& text) {
    std::string path = dir + "/" + name;
    if (!text.empty()) {
      EXPECT_TRUE(write_file_atomic(path, text, 0600).ok());
    }
    SubmitConfig c = config("Host: h\nTLS: true\nClientAuthCertPrivateKeyPEMFile: " + path +
                            "\nFrom: a@b.example\n");
    return client_cert(c);
  };
  auto good = with("good.pem", key_pem + cert_pem);
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_TRUE(crypto::same_public_key((*good)->key.get(), key->get()));
  EXPECT_FALSE(with("mismatch.pem", key_pem + other_cert).ok());
  EXPECT_FALSE(with("nocert.pem", key_pem).ok());
  EXPECT_FALSE(with("twokeys.pem", key_pem + key_pem + cert_pem).ok());
  EXPECT_FALSE(with("nokey.pem", cert_pem).ok());
  EXPECT_FALSE(with("missing/x.pem", "").ok());
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace mox::sendmail
