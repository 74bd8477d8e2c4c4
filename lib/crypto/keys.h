// Private/public key helpers over OpenSSL 3: generation, PKCS#8 PEM in and
// out, SubjectPublicKeyInfo, key types and fingerprints (mox-dkim(1),
// mox-tlspubkey(8)), plus RAII owners for OpenSSL handles that other modules
// reuse.
//
// Errors are values; nothing here throws. Internal errors carry the text of
// the OpenSSL error queue, which is drained by the failing call.
//
// Thread safety: every function is safe to call concurrently on distinct
// keys. An EVP_PKEY may be shared read-only between threads (OpenSSL 3).
// Functions taking `EVP_PKEY* key` borrow it (it must be non-null) and never
// take ownership.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::crypto {

// Deleters for std::unique_ptr over OpenSSL handles.
struct PKeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PKeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct X509NameFree {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
struct BignumFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct Asn1IntegerFree {
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};
// Memory returned by OpenSSL (i2d_*, BN_bn2hex, ...): OPENSSL_free.
struct OpenSslFree {
  void operator()(void* p) const;
};

using PKeyPtr = std::unique_ptr<EVP_PKEY, PKeyFree>;
using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PKeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using X509NamePtr = std::unique_ptr<X509_NAME, X509NameFree>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Asn1IntegerFree>;
template <class T>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree>;

// Drains the calling thread's OpenSSL error queue into one line
// ("error:...; error:..."), or "no openssl error" when it is empty.
std::string openssl_error();
// internal_error("<what>: <openssl_error()>").
Error openssl_internal_error(std::string_view what);

// Reads everything from a memory BIO (BIO_s_mem / BIO_s_secmem).
std::string bio_to_string(BIO* bio);

enum class KeyType { kRsa, kEd25519, kEcdsa, kOther };

// RSA key of `bits` bits (2048 for DKIM, domains.conf(5) "Domains.*.DKIM").
// user_error outside [1024, 16384]; 1024 is allowed only so tests can prove it
// is refused later.
Result<PKeyPtr> generate_rsa(int bits);
Result<PKeyPtr> generate_ed25519();
// EC key on a named curve: "P-256", "P-384", "P-521" or any OpenSSL group
// name (e.g. "secp256k1"). user_error for an unknown curve.
Result<PKeyPtr> generate_ecdsa(const std::string& curve);

// Ed25519 from / to the raw 32-byte private seed (RFC 8032 §5.1.5), as mox
// prints it for `tlspubkey gen` and reads `ClientAuthEd25519PrivateKey`
// (mox-tlspubkey(8)). syntax_error if the seed is not 32 bytes; user_error if
// `key` is not an ed25519 private key.
Result<PKeyPtr> ed25519_from_seed(std::string_view seed);
Result<std::string> ed25519_seed(EVP_PKEY* key);
// The raw 32-byte ed25519 public key (RFC 8032 §5.1.5). user_error if `key`
// is not ed25519.
Result<std::string> ed25519_public_raw(EVP_PKEY* key);

// PKCS#8 "PRIVATE KEY" PEM (RFC 5958, RFC 7468 §10). A non-empty `note` is
// written as a line "Note: <note>" directly before the BEGIN line, i.e. as
// RFC 7468 §5.2 explanatory text. It is deliberately not an RFC 1421 header
// inside the block (as Go/mox write it): OpenSSL 3 refuses any PEM header
// other than Proc-Type ("not proc type"), so `openssl pkey` could not read
// the file. Go's pem.Decode skips the text, so mox reads these files.
// user_error if `note` has a control character or is longer than 200 bytes.
Result<std::string> private_key_pkcs8_pem(EVP_PKEY* key, std::string_view note = {});

// First private key in `pem`: a "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY"
// (PKCS#1) or "EC PRIVATE KEY" (RFC 5915) block. Other blocks (e.g.
// CERTIFICATE), text around blocks, and RFC 1421 headers inside the block
// (mox's "Note:") are ignored. Encrypted keys are a user_error; no key
// block or bad DER is a syntax_error.
Result<PKeyPtr> load_private_key_pem(std::string_view pem);

// DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of the public half of `key`.
Result<std::string> public_key_spki_der(EVP_PKEY* key);
// Parses a DER SubjectPublicKeyInfo; syntax_error if malformed or if
// trailing bytes follow.
Result<PKeyPtr> load_public_key_spki_der(std::string_view der);

// True if both keys have the same public key (e.g. key matches a cert leaf).
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b);

KeyType key_type(EVP_PKEY* key);
// Key size in bits (RSA modulus size; EC field size; 253 for ed25519).
int key_bits(EVP_PKEY* key);

// TLS public key type name (mox-tlspubkey(8)): "rsa-<bits>", "ecdsa-p256",
// "ecdsa-p384", "ecdsa-p521", "ed25519". user_error for RSA below 2048 bits,
// other curves and other key types.
Result<std::string> tls_pubkey_type(EVP_PKEY* key);

// Raw 32-byte SHA-256 digest. Aborts only if OpenSSL cannot digest at all
// (a broken installation, not input dependent).
std::string sha256(std::string_view data);

// base64url without padding of SHA-256 over the DER SubjectPublicKeyInfo:
// 43 characters (mox-tlspubkey(8)).
Result<std::string> spki_fingerprint(EVP_PKEY* key);

// Creates `path` with O_CREAT|O_EXCL|O_NOFOLLOW and exactly `mode` (umask
// does not apply), writes `data`, fsyncs the file and its directory.
// user_error if the path exists; on any other failure the partly written
// file is removed again and an internal_error returned.
Status write_file_exclusive(const std::string& path, std::string_view data, mode_t mode);

}  // namespace mox::crypto
