#include "crypto/cert.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <climits>

namespace mox::crypto {
namespace {

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

// Never prompt on a terminal for a PEM pass phrase: input may come from a peer.
int no_password(char*, int, int, void*) { return -1; }

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// ASCII DNS name (RFC 1035 §2.3.4 lengths), optionally "*." wildcard first.
bool valid_dns_name(std::string_view name) {
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_label_char(c) && ++label <= 63) {
      continue;
    } else {
      return false;
    }
  }
  return label > 0;
}

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Version 3 certificate with `key`'s public key, valid from now - 1h for
// `days` days. Subject, issuer and serial are left to the caller.
Result<X509Ptr> new_cert(EVP_PKEY* key, long days) {
  X509Ptr x(X509_new());
  if (!x) return openssl_internal_error("allocating certificate");
  if (X509_set_version(x.get(), X509_VERSION_3) != 1 || X509_set_pubkey(x.get(), key) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(x.get()), static_cast<int>(days), 0, nullptr) ==
          nullptr) {
    return openssl_internal_error("initializing certificate");
  }
  return x;
}

Status set_random_serial(X509* x) {
  BignumPtr bn(BN_new());
  // Positive, at most 128 bits: DER at most 17 octets (RFC 5280 §4.1.2.2: <= 20).
  if (!bn || BN_rand(bn.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      (BN_is_zero(bn.get()) && BN_one(bn.get()) != 1) ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) {
    return openssl_internal_error("setting random serial");
  }
  return {};
}

Status set_subject_cn(X509* x, const std::string& cn) {
  X509_NAME* name = X509_get_subject_name(x);
  // RFC 5280 Appendix A: ub-common-name 64; the SAN still names the host.
  if (cn.size() <= 64 && X509_NAME_add_entry_by_NID(
                             name, NID_commonName, MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1) {
    return openssl_internal_error("setting subject");
  }
  if (X509_set_issuer_name(x, name) != 1) return openssl_internal_error("setting issuer");
  return {};
}

Status add_san(X509* x, const std::vector<std::string>& names) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> gens(sk_GENERAL_NAME_new_null());
  if (!gens) return openssl_internal_error("allocating subjectAltName");
  for (size_t i = 0; i < names.size(); i++) {
    bool dup = false;
    for (size_t j = 0; j < i && !dup; j++) dup = equal_fold(names[i], names[j]);
    if (dup) continue;
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (gn == nullptr || s == nullptr ||
        ASN1_STRING_set(s, names[i].data(), static_cast<int>(names[i].size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(s);
      return openssl_internal_error("building subjectAltName");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, s);
    if (sk_GENERAL_NAME_push(gens.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      return openssl_internal_error("building subjectAltName");
    }
  }
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_internal_error("adding subjectAltName");
  }
  return {};
}

// `value` is a constant of ours in OpenSSL's extension config syntax.
Status add_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) {
    return openssl_internal_error(std::string("adding extension ") + OBJ_nid2sn(nid));
  }
  return {};
}

Status sign(X509* x, EVP_PKEY* key) {
  // EdDSA signs the message itself; a digest must not be given (RFC 8410 §6).
  bool eddsa = EVP_PKEY_is_a(key, "ED25519") == 1 || EVP_PKEY_is_a(key, "ED448") == 1;
  if (X509_sign(x, key, eddsa ? nullptr : EVP_sha256()) <= 0) {
    return openssl_internal_error("signing certificate");
  }
  return {};
}

Result<std::string> pem_of(Result<X509Ptr> cert) {
  if (!cert.ok()) return std::move(cert).error();
  return cert_pem(cert->get());
}

}  // namespace

Result<X509Ptr> self_signed_cert(EVP_PKEY* key, const std::string& hostname,
                                 const std::vector<std::string>& extra_dns, int days) {
  if (days < 1 || days > 36500) return user_error("certificate validity must be 1 to 36500 days");
  std::vector<std::string> names{hostname};
  names.insert(names.end(), extra_dns.begin(), extra_dns.end());
  for (const auto& n : names) {
    if (!valid_dns_name(n)) return user_error("invalid dns name for certificate: \"" + n + "\"");
  }
  MOX_ASSIGN(X509Ptr x, new_cert(key, days));
  MOX_TRY(set_random_serial(x.get()));
  MOX_TRY(set_subject_cn(x.get(), hostname));
  MOX_TRY(add_ext(x.get(), NID_basic_constraints, "critical,CA:FALSE"));
  MOX_TRY(add_ext(x.get(), NID_key_usage,
                  key_type(key) == KeyType::kRsa ? "critical,digitalSignature,keyEncipherment"
                                                 : "critical,digitalSignature"));
  MOX_TRY(add_ext(x.get(), NID_ext_key_usage, "serverAuth"));
  MOX_TRY(add_san(x.get(), names));
  MOX_TRY(sign(x.get(), key));
  return x;
}

Result<std::string> self_signed_cert_pem(EVP_PKEY* key, const std::string& hostname,
                                         const std::vector<std::string>& extra_dns, int days) {
  return pem_of(self_signed_cert(key, hostname, extra_dns, days));
}

Result<X509Ptr> minimal_cert(EVP_PKEY* key, long serial) {
  if (serial <= 0) return user_error("certificate serial must be positive");
  constexpr long kHundredYears = 36525;  // days
  MOX_ASSIGN(X509Ptr x, new_cert(key, kHundredYears));
  if (ASN1_INTEGER_set_int64(X509_get_serialNumber(x.get()), serial) != 1) {
    return openssl_internal_error("setting serial");
  }
  MOX_TRY(sign(x.get(), key));
  return x;
}

Result<std::string> minimal_cert_pem(EVP_PKEY* key, long serial) {
  return pem_of(minimal_cert(key, serial));
}

Result<std::vector<X509Ptr>> load_certs_pem(std::string_view pem) {
  if (pem.size() > INT_MAX) return syntax_error("pem too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return openssl_internal_error("allocating bio");
  std::vector<X509Ptr> certs;
  for (;;) {
    X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
    if (x) {
      certs.push_back(std::move(x));
      continue;
    }
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
      ERR_clear_error();
      break;
    }
    return syntax_error("invalid certificate pem: " + openssl_error());
  }
  if (certs.empty()) return syntax_error("no CERTIFICATE block in pem data");
  return certs;
}

Result<X509Ptr> load_cert_pem(std::string_view pem) {
  if (pem.size() > INT_MAX) return syntax_error("pem too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return openssl_internal_error("allocating bio");
  X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
  if (!x) {
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
      ERR_clear_error();
      return syntax_error("no CERTIFICATE block in pem data");
    }
    return syntax_error("invalid certificate pem: " + openssl_error());
  }
  return x;
}

Result<X509Ptr> load_cert_der(std::string_view der) {
  if (der.size() > LONG_MAX) return syntax_error("certificate too large");
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return syntax_error("invalid certificate: " + openssl_error());
  if (p != start + der.size()) return syntax_error("trailing data after certificate");
  return x;
}

Result<std::string> cert_der(X509* cert) {
  unsigned char* buf = nullptr;
  int n = i2d_X509(cert, &buf);
  if (n <= 0) return openssl_internal_error("encoding certificate");
  OpenSslPtr<unsigned char> owned(buf);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

Result<std::string> cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return openssl_internal_error("writing certificate pem");
  }
  return bio_to_string(bio.get());
}

std::string cert_subject_cn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int last = -1;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;) last = i;
  if (last < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) {
    ERR_clear_error();
    return {};
  }
  OpenSslPtr<unsigned char> owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
}

std::string cert_serial_hex(X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  OpenSslPtr<char> hex(bn ? BN_bn2hex(bn.get()) : nullptr);
  if (!hex) {
    ERR_clear_error();
    return {};
  }
  std::string_view h = hex.get();
  std::string out;
  if (!h.empty() && h[0] == '-') {
    out = "-";
    h.remove_prefix(1);
  }
  while (h.size() > 1 && h[0] == '0') h.remove_prefix(1);
  for (char c : h) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> cert_spki_fingerprint(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr)
    return syntax_error("certificate public key not supported: " + openssl_error());
  return spki_fingerprint(key);
}

}  // namespace mox::crypto
