// X.509 certificate helpers over OpenSSL 3: self-signed certificates for
// quickstart and for TLS client keys (mox-tlspubkey(8)), loading and inspecting
// certificates (mox-tlspubkey(8)).
//
// Functions taking `EVP_PKEY*` / `X509*` borrow them (non-null) and never
// take ownership. Errors are values; nothing here throws. Safe to call from
// several threads on distinct objects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.h"
#include "util/result.h"

namespace mox::crypto {

// Self-signed server certificate (quickstart), signed by `key` (RSA, EC or
// ed25519 private key):
// - subject = issuer = CN=<hostname> (CN left out if hostname is longer
//   than the 64-character ub-common-name of RFC 5280 Appendix A);
// - subjectAltName DNS:<hostname> and DNS:<each extra_dns>;
// - valid from now - 1h for `days` days; random positive 128-bit serial;
// - version 3, basicConstraints critical CA:FALSE, keyUsage critical
//   digitalSignature (+ keyEncipherment for RSA), extendedKeyUsage serverAuth;
// - signed with SHA-256 (ed25519: no digest, RFC 8410 §6).
// Names must be ASCII DNS names (A-labels; letters, digits, '-', '.', '_',
// a leading "*." for wildcards), else user_error; days in [1, 36500].
// Returns the certificate as PEM.
Result<std::string> self_signed_cert_pem(EVP_PKEY* key, const std::string& hostname,
                                         const std::vector<std::string>& extra_dns, int days);
// Same, as an X509 object.
Result<X509Ptr> self_signed_cert(EVP_PKEY* key, const std::string& hostname,
                                 const std::vector<std::string>& extra_dns, int days);

// Minimal self-signed certificate for a TLS client key (mox-tlspubkey(8)
// `tlspubkey gen`): version 3, serial number = `serial` (must be > 0), empty
// subject and issuer, no extensions, valid from now - 1h for 100 years. Only
// the public key matters to the server (mox-tlspubkey(8)).
Result<std::string> minimal_cert_pem(EVP_PKEY* key, long serial);
Result<X509Ptr> minimal_cert(EVP_PKEY* key, long serial);

// The first CERTIFICATE block in `pem` (other blocks such as a private key
// are skipped). syntax_error if there is none or it does not parse.
Result<X509Ptr> load_cert_pem(std::string_view pem);
// All CERTIFICATE blocks in order (a chain, leaf first). syntax_error if none.
Result<std::vector<X509Ptr>> load_certs_pem(std::string_view pem);
// Parses DER; syntax_error if malformed or if trailing bytes follow.
Result<X509Ptr> load_cert_der(std::string_view der);

Result<std::string> cert_der(X509* cert);
Result<std::string> cert_pem(X509* cert);

// Subject common name as UTF-8 (the last CN, as Go's pkix.Name), or "" if
// none.
std::string cert_subject_cn(X509* cert);
// Serial number in lower-case hex without leading zeros, as Go's "%x" of a
// big.Int (mox's default key name "serial <hex>", mox-tlspubkey(8)); "-" prefix
// if negative.
std::string cert_serial_hex(X509* cert);

// spki_fingerprint() of the certificate's public key (mox-tlspubkey(8)).
Result<std::string> cert_spki_fingerprint(X509* cert);

}  // namespace mox::crypto
