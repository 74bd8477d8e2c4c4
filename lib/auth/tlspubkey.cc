#include "auth/tlspubkey.h"

#include "auth/credentials.h"
#include "crypto/cert.h"
#include "smtp/address.h"
#include "util/encoding.h"
#include "util/timefmt.h"

namespace mox::auth {
namespace {

constexpr const char* kColumns =
    "Fingerprint, Type, Name, CertDER, Account, LoginAddress, NoIMAPPreauth, Created";

TLSPublicKey row(const db::Stmt& q) {
  TLSPublicKey k;
  q.cols(k.fingerprint, k.type, k.name, db::blob(k.cert_der), k.account, k.login_address,
         k.no_imap_preauth, k.created);
  return k;
}

Error unknown_fingerprint(const std::string& fp) {
  return not_found("no tls public key with fingerprint " + fp);
}

}  // namespace

Result<TLSPublicKey> tls_public_key_from_cert(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return user_error("certificate public key not supported");
  TLSPublicKey k;
  MOX_ASSIGN(k.type, crypto::tls_pubkey_type(key));
  MOX_ASSIGN(k.fingerprint, crypto::spki_fingerprint(key));
  MOX_ASSIGN(k.cert_der, crypto::cert_der(cert));
  // mox-tlspubkey(8): the name defaults to the subject CN, else the serial.
  k.name = crypto::cert_subject_cn(cert);
  if (k.name.empty()) k.name = "serial " + crypto::cert_serial_hex(cert);
  return k;
}

Result<TLSPublicKey> add_tls_public_key(const config::Config& config, db::Db& db,
                                        std::string_view pem, const TLSPublicKeyAdd& opts) {
  Result<crypto::X509Ptr> cert = crypto::load_cert_pem(pem);
  if (!cert) return syntax_error("no valid PEM CERTIFICATE in input: " + cert.error().message);
  MOX_ASSIGN(TLSPublicKey k, tls_public_key_from_cert(cert->get()));
  if (!opts.name.empty()) k.name = opts.name;
  // mox-tlspubkey(8): the login address must be given in canonical form, and
  // (A.4) be an address of the account it logs in to.
  Result<smtp::Address> addr = smtp::Address::parse(opts.login_address);
  if (!addr || addr->str() != opts.login_address) {
    return user_error("login address \"" + opts.login_address +
                      "\" is not an email address in canonical form");
  }
  Result<std::string> account = login_address_account(config, opts.login_address);
  if (!account) {
    return user_error("login address \"" + opts.login_address +
                      "\" is not an address of an account");
  }
  MOX_ASSIGN(bool removed, account_removal_pending(db, *account));
  if (removed) return user_error("account \"" + *account + "\" is being removed");
  k.account = *account;
  k.login_address = opts.login_address;
  k.no_imap_preauth = opts.no_imap_preauth;
  k.created = db::now_unix();
  MOX_ASSIGN(auto q,
             db.prepare("INSERT OR IGNORE INTO TLSPublicKey (Fingerprint, Created, Type, Name, "
                        "NoIMAPPreauth, CertDER, Account, LoginAddress) VALUES (?,?,?,?,?,?,?,?)"));
  q.bind(1, k.fingerprint).bind(2, k.created).bind(3, k.type).bind(4, k.name);
  q.bind(5, static_cast<int64_t>(k.no_imap_preauth)).bind_blob(6, k.cert_der);
  q.bind(7, k.account).bind(8, k.login_address);
  MOX_TRY(q.run());
  if (db.changes() == 0) {
    return user_error("a tls public key with fingerprint " + k.fingerprint + " already exists");
  }
  return k;
}

Result<std::vector<TLSPublicKey>> list_tls_public_keys(db::Db& db, const std::string& account) {
  MOX_ASSIGN(auto q, db.prepare(std::string("SELECT ") + kColumns +
                                " FROM TLSPublicKey WHERE (?1='' OR Account=?1) "
                                "ORDER BY Account, Fingerprint"));
  q.bind(1, account);
  std::vector<TLSPublicKey> out;
  while (true) {
    MOX_ASSIGN(bool more, q.step());
    if (!more) break;
    out.push_back(row(q));
  }
  return out;
}

Result<TLSPublicKey> get_tls_public_key(db::Db& db, const std::string& fingerprint) {
  MOX_ASSIGN(auto q, db.prepare(std::string("SELECT ") + kColumns +
                                " FROM TLSPublicKey WHERE Fingerprint=?"));
  q.bind(1, fingerprint);
  MOX_ASSIGN(bool found, q.step());
  if (!found) return unknown_fingerprint(fingerprint);
  return row(q);
}

Status remove_tls_public_key(db::Db& db, const std::string& fingerprint) {
  MOX_ASSIGN(auto q, db.prepare("DELETE FROM TLSPublicKey WHERE Fingerprint=?"));
  MOX_TRY(q.bind(1, fingerprint).run());
  if (db.changes() == 0) return unknown_fingerprint(fingerprint);
  return {};
}

Result<GeneratedClientKey> generate_client_key(const std::string& stem, int64_t now) {
  MOX_ASSIGN(crypto::PKeyPtr key, crypto::generate_ed25519());
  MOX_ASSIGN(std::string key_pem, crypto::private_key_pkcs8_pem(key.get()));
  MOX_ASSIGN(std::string cert_pem, crypto::minimal_cert_pem(key.get(), static_cast<long>(now)));
  MOX_ASSIGN(std::string seed, crypto::ed25519_seed(key.get()));
  GeneratedClientKey g;
  MOX_ASSIGN(g.fingerprint, crypto::spki_fingerprint(key.get()));
  g.seed_base64url = base64url_encode(seed);
  std::string base = stem + "." + format_utc(now, "%Y%m%d%H%M");
  g.key_file = base + ".ed25519privatekey.pkcs8.pem";
  g.cert_file = base + ".certificate.pem";
  g.combined_file = base + ".ed25519privatekey-certificate.pem";
  MOX_TRY(crypto::write_file_exclusive(g.key_file, key_pem, 0600));
  MOX_TRY(crypto::write_file_exclusive(g.cert_file, cert_pem, 0600));
  MOX_TRY(crypto::write_file_exclusive(g.combined_file, key_pem + cert_pem, 0600));
  return g;
}

Result<CertLogin> cert_login(const config::Config& config, db::Db& db, X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return not_found("unsupported client certificate public key");
  MOX_ASSIGN(std::string fp, crypto::spki_fingerprint(key));
  Result<TLSPublicKey> k = get_tls_public_key(db, fp);
  if (!k) {
    if (k.error().kind == ErrorKind::kNotFound) return not_found("unknown tls public key " + fp);
    return std::move(k).error();
  }
  // mox-smtpd(8) "Authentication": the login address must still lead to the
  // key's account, which must not be on its way out.
  Result<std::string> account = login_address_account(config, k->login_address);
  if (!account || *account != k->account) {
    return not_found("login address of tls public key " + fp + " is not of its account");
  }
  MOX_ASSIGN(bool removed, account_removal_pending(db, k->account));
  if (removed) return not_found("account of tls public key " + fp + " is being removed");
  CertLogin l;
  l.fingerprint = fp;
  l.account = k->account;
  l.login_address = k->login_address;
  l.no_imap_preauth = k->no_imap_preauth;
  l.login_disabled = config.account(k->account)->login_disabled;
  return l;
}

}  // namespace mox::auth
