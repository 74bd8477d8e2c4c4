// TLS client-certificate public keys of accounts (mox-tlspubkey(8)): adding,
// listing, getting and removing the auth.db TLSPublicKey rows, and finding
// the login of a certificate a client presented in a TLS handshake (§7.2).
//
// Only the public key identifies a login: its fingerprint is SHA-256 over
// the DER SubjectPublicKeyInfo, base64url without padding (43 characters).
// Expiry, names, key usage and issuer of the certificate are ignored; no CA
// is involved, so self-signed minimal certificates are fine.
//
// Thread-safety: functions take the auth.db handle of the caller; a handle
// is used by one thread at a time.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>
#include <vector>

#include "auth/authdb.h"
#include "auth/tlsstate.h"
#include "config/config.h"
#include "db/sqlite.h"
#include "util/result.h"

namespace mox::auth {

// The key of `cert` as a TLSPublicKey row without account and login
// address: fingerprint, type ("rsa-2048", "ecdsa-p256", "ed25519", ...),
// the certificate's DER, and the default name (subject CN, else
// "serial <hex>"). Errors: user_error for refused keys (RSA < 2048 bits,
// other curves, other types).
Result<TLSPublicKey> tls_public_key_from_cert(X509* cert);

struct TLSPublicKeyAdd {
  std::string login_address;  // canonical form, an address of its account
  std::string name;           // "" → the certificate's default name
  bool no_imap_preauth = false;
};

// Adds the first CERTIFICATE of `pem` for the account of the login address
// (mox-tlspubkey(8); the address must be one of the account's, as typed in
// canonical form). Errors (user_error / syntax_error, one line each): no or
// malformed certificate, refused key type, unknown or non-canonical
// address, account being removed, a key with this fingerprint exists.
Result<TLSPublicKey> add_tls_public_key(const config::Config& config, db::Db& db,
                                        std::string_view pem, const TLSPublicKeyAdd& opts);
// Ordered by account and fingerprint; account "" = all.
Result<std::vector<TLSPublicKey>> list_tls_public_keys(db::Db& db, const std::string& account);
// Errors: not_found "no tls public key with fingerprint …".
Result<TLSPublicKey> get_tls_public_key(db::Db& db, const std::string& fingerprint);
Status remove_tls_public_key(db::Db& db, const std::string& fingerprint);

// `tlspubkey gen` (mox-tlspubkey(8)): a new ed25519 key with a minimal
// self-signed certificate (serial = `now`, no subject, crypto::minimal_cert),
// written as three new files (mode 0600, never overwriting):
//   STEM.<YYYYMMDDhhmm>.ed25519privatekey.pkcs8.pem
//   STEM.<YYYYMMDDhhmm>.certificate.pem
//   STEM.<YYYYMMDDhhmm>.ed25519privatekey-certificate.pem  (both, for clients)
struct GeneratedClientKey {
  std::string key_file, cert_file, combined_file;
  std::string fingerprint;
  std::string seed_base64url;  // the raw 32-byte private seed (ClientAuthEd25519PrivateKey)
};
// Errors: user_error if a file exists; internal_error otherwise.
Result<GeneratedClientKey> generate_client_key(const std::string& stem, int64_t now);

// The login of a client certificate: its key must be registered, its
// account still configured and not being removed, and its login address
// still an address of that account. Errors: kNotFound with a short reason
// ("unknown tls public key", …) for a refused certificate; kInternal /
// kTemporary for database errors.
Result<CertLogin> cert_login(const config::Config& config, db::Db& db, X509* cert);

}  // namespace mox::auth
