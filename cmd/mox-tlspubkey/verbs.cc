#include "verbs.h"

#include <ctime>
#include <iostream>

#include "admin/admin.h"
#include "auth/authdb.h"
#include "auth/tlspubkey.h"
#include "cli/cli.h"
#include "cli/stdin.h"
#include "crypto/cert.h"
#include "util/json.h"
#include "util/timefmt.h"

namespace moxtlspubkey {
namespace {

constexpr const char* kProg = "mox-tlspubkey";

int fail(const mox::Error& e) { return mox::fail(kProg, e); }

struct Opened {
  mox::admin::ConfigPtr cfg;
  mox::db::Db db;
};

mox::Result<Opened> open(const Args& a) {
  Opened o;
  MOX_ASSIGN(o.cfg, mox::admin::load_and_recover(mox::config::default_config_path(a.config)));
  MOX_ASSIGN(o.db, mox::auth::open_auth_db(o.cfg->data_dir()));
  return o;
}

mox::JsonObject key_json(const mox::auth::TLSPublicKey& k) {
  mox::JsonObject j;
  j.add("fingerprint", k.fingerprint).add("type", k.type).add("name", k.name);
  j.add("account", k.account).add("loginAddress", k.login_address);
  j.add("noIMAPPreauth", k.no_imap_preauth).add("created", mox::rfc3339_utc(k.created));
  return j;
}

}  // namespace

int add(const Args& a) {
  auto o = open(a);
  if (!o) return fail(o.error());
  mox::auth::TLSPublicKeyAdd opts{a.pos.at(0), a.pos.size() > 1 ? a.pos[1] : "", a.no_imap_preauth};
  auto k = mox::auth::add_tls_public_key(*o->cfg, o->db, mox::read_stdin(), opts);
  if (!k) return fail(k.error());
  std::cout << k->fingerprint << "\n";
  return 0;
}

int rm(const Args& a) {
  auto o = open(a);
  if (!o) return fail(o.error());
  if (auto st = mox::auth::remove_tls_public_key(o->db, a.pos.at(0)); !st) return fail(st.error());
  return 0;
}

int list(const Args& a) {
  auto o = open(a);
  if (!o) return fail(o.error());
  std::string account = a.pos.empty() ? "" : a.pos[0];
  if (!account.empty() && o->cfg->account(account) == nullptr) {
    return fail(mox::not_found("no account \"" + account + "\""));
  }
  auto keys = mox::auth::list_tls_public_keys(o->db, account);
  if (!keys) return fail(keys.error());
  if (!a.json) std::cout << "fingerprint\ttype\tname\taccount\tloginaddress\tnoimappreauth\n";
  for (const auto& k : *keys) {
    if (a.json) {
      std::cout << key_json(k).str() << "\n";
    } else {
      std::cout << k.fingerprint << "\t" << k.type << "\t" << mox::json_quote(k.name) << "\t"
                << k.account << "\t" << k.login_address << "\t"
                << (k.no_imap_preauth ? "true" : "false") << "\n";
    }
  }
  return 0;
}

int get(const Args& a) {
  auto o = open(a);
  if (!o) return fail(o.error());
  auto k = mox::auth::get_tls_public_key(o->db, a.pos.at(0));
  if (!k) return fail(k.error());
  auto cert = mox::crypto::load_cert_der(k->cert_der);
  if (!cert) return fail(cert.error());
  auto pem = mox::crypto::cert_pem(cert->get());
  if (!pem) return fail(pem.error());
  if (a.json) {
    std::cout << key_json(*k).add("certificatePEM", *pem).str() << "\n";
    return 0;
  }
  std::cout << "fingerprint: " << k->fingerprint << "\ntype: " << k->type << "\nname: " << k->name
            << "\naccount: " << k->account << "\nlogin address: " << k->login_address
            << "\nno imap preauth: " << (k->no_imap_preauth ? "true" : "false")
            << "\ncreated: " << mox::rfc3339_utc(k->created) << "\n"
            << *pem;
  return 0;
}

int gen(const Args& a) {
  auto g = mox::auth::generate_client_key(a.pos.at(0), std::time(nullptr));
  if (!g) return fail(g.error());
  std::cout << "private key: " << g->key_file << "\ncertificate: " << g->cert_file
            << "\nprivate key and certificate: " << g->combined_file
            << "\nfingerprint: " << g->fingerprint
            << "\ned25519 private key seed (ClientAuthEd25519PrivateKey): " << g->seed_base64url
            << "\n";
  return 0;
}

int openssl_help(const Args&) {
  std::cout << R"(How to make a TLS client key and certificate by hand with openssl(1).

Only the public key counts: mox-cpp ignores the certificate's names, issuer
and expiry, so a self-signed certificate valid for 100 years is fine. The
name (CN) becomes the key's default name.

1. An ECDSA P-256 private key (ed25519 and RSA of 2048 bits or more work too,
   but many mail clients only handle ECDSA and RSA):

	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem

2. A minimal self-signed certificate for it:

	openssl req -new -x509 -key key.pem -subj "/CN=laptop" -days 36500 -out cert.pem

3. A PKCS#12 (.p12) bundle of both, for importing into a mail client
   (Thunderbird, Apple Mail, K-9/FairEmail). You are asked for a password
   that protects the file; add -legacy if the client fails to import it:

	openssl pkcs12 -export -inkey key.pem -in cert.pem -name laptop -out laptop.p12

4. Register the certificate for a login address of the account:

	mox-tlspubkey add you@example.com laptop < cert.pem

The client then logs in over IMAPS and submission with the certificate,
without a password (SASL EXTERNAL, or IMAP PREAUTH).
)";
  return 0;
}

}  // namespace moxtlspubkey
