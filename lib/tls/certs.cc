#include "tls/certs.h"

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"
#include "util/fs.h"

namespace mox::tls {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::vector<std::string> dns_names(X509* cert) {
  std::vector<std::string> out;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type != GEN_DNS) continue;
      const ASN1_STRING* s = gn->d.dNSName;
      out.push_back(lower(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                           static_cast<size_t>(ASN1_STRING_length(s)))));
    }
    GENERAL_NAMES_free(sans);
  }
  if (out.empty()) {
    std::string cn = crypto::cert_subject_cn(cert);
    if (!cn.empty()) out.push_back(lower(cn));
  }
  return out;
}

}  // namespace

Result<CertKey> cert_key_from_pem(std::string_view cert_pem, std::string_view key_pem,
                                  const std::string& what) {
  auto certs = crypto::load_certs_pem(cert_pem);
  if (!certs) return syntax_error(what + ": " + certs.error().message);
  auto key = crypto::load_private_key_pem(key_pem);
  if (!key) return Error{key.error().kind, what + ": " + key.error().message};
  CertKey ck;
  ck.leaf = std::move(certs->front());
  ck.key = std::move(*key);
  if (!crypto::same_public_key(ck.key.get(), X509_get0_pubkey(ck.leaf.get()))) {
    return user_error(what + ": private key does not belong to the certificate");
  }
  ck.chain.reset(sk_X509_new_null());
  if (!ck.chain) return crypto::openssl_internal_error("sk_X509_new_null");
  for (size_t i = 1; i < certs->size(); i++) {
    if (sk_X509_push(ck.chain.get(), (*certs)[i].get()) <= 0) {
      return crypto::openssl_internal_error("sk_X509_push");
    }
    (void)(*certs)[i].release();  // now owned by the stack
  }
  ck.names = dns_names(ck.leaf.get());
  return ck;
}

Result<CertKey> load_cert_key(const std::string& cert_file, const std::string& key_file) {
  MOX_ASSIGN(std::string cert_pem, read_file(cert_file));
  MOX_ASSIGN(std::string key_pem, read_file(key_file));
  auto r = cert_key_from_pem(cert_pem, key_pem, cert_file + " / " + key_file);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  return r;
}

bool dns_name_matches(std::string_view pattern, std::string_view host) {
  if (pattern.empty() || host.empty()) return false;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    size_t dot = host.find('.');
    if (dot == 0 || dot == std::string_view::npos) return false;
    return iequal(pattern.substr(1), host.substr(dot));
  }
  return iequal(pattern, host);
}

std::vector<size_t> certs_for_name(const std::vector<CertKey>& certs, std::string_view host) {
  std::vector<size_t> out;
  for (size_t i = 0; i < certs.size(); i++) {
    for (const auto& n : certs[i].names) {
      if (dns_name_matches(n, host)) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

}  // namespace mox::tls
