// Server certificates: loading a chain with its key, and picking one by the
// client's server_name (RFC 6066 §3). Used by make_server_ctx.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

// A certificate chain with its private key and the names it serves.
struct CertKey {
  crypto::X509Ptr leaf;
  X509StackPtr chain;  // the certificates after the leaf; never null
  crypto::PKeyPtr key;
  // Lower-case DNS names: subjectAltName dNSName entries, or the subject
  // CN when there are none (RFC 6125 §6.4.4); may start with "*.".
  std::vector<std::string> names;
};

// PEM text: `cert_pem` holds the chain, leaf first; `key_pem` the private
// key (see crypto::load_private_key_pem). `what` names them in errors.
// user_error if the key does not belong to the leaf.
Result<CertKey> cert_key_from_pem(std::string_view cert_pem, std::string_view key_pem,
                                  const std::string& what);
// The same from files.
Result<CertKey> load_cert_key(const std::string& cert_file, const std::string& key_file);

// RFC 6125 §6.4.3: case-insensitive; "*" only as the entire left-most
// label, matching exactly one non-empty label.
bool dns_name_matches(std::string_view pattern, std::string_view host);

// Indexes of the certificates serving `host` (in order; empty if none).
std::vector<size_t> certs_for_name(const std::vector<CertKey>& certs, std::string_view host);

}  // namespace mox::tls
