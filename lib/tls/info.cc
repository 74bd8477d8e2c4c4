#include "tls/info.h"

namespace mox::tls {

std::string tls_description(const TLSInfo& t) {
  return "version=" + t.version + " ciphersuite=" + t.cipher_suite + " sni=" + t.sni +
         " resumed=" + (t.resumed ? "true" : "false") + " alpn=" + t.alpn;
}

}  // namespace mox::tls
