// The TLS connection description recorded with login attempts and in
// Received headers.
#pragma once

#include <string>

namespace mox::tls {

// What a TLS connection negotiated; rendered into LoginAttempt::tls.
struct TLSInfo {
  std::string version;       // e.g. "tls1.3"
  std::string cipher_suite;  // e.g. "tls_aes_128_gcm_sha256"
  std::string sni;           // server name the client asked for, may be empty
  bool resumed = false;
  std::string alpn;  // negotiated protocol, may be empty
};
// "version=tls1.3 ciphersuite=tls_aes_128_gcm_sha256 sni=mail.example.com
// resumed=false alpn=imap" (docs/DESIGN.md "Login attempts"). A connection
// without TLS has "".
std::string tls_description(const TLSInfo& t);

}  // namespace mox::tls
