// /etc/moxsubmit.conf: where and how mox-sendmail submits (mox-sendmail(8)),
// in sconf format with mox's field names.
#pragma once

#include <cstdint>
#include <string>

#include "config/schema.h"
#include "util/result.h"

namespace mox::sendmail {

constexpr const char* kDefaultConfigPath = "/etc/moxsubmit.conf";

struct SubmitConfig {
  std::string local_hostname;  // EHLO name; default: gethostname()
  std::string host;            // submission server name or IP
  int64_t port = 0;            // default 465 with TLS, else 587
  bool tls = false;            // implicit TLS (port 465)
  bool starttls = false;       // STARTTLS (port 587)
  bool tls_insecure_skip_verify = false;
  std::string username;  // default: From
  std::string password;
  std::string client_auth_ed25519_private_key;        // base64url raw 32-byte seed
  std::string client_auth_cert_private_key_pem_file;  // absolute path
  std::string auth_method;                            // e.g. SCRAM-SHA-256, EXTERNAL
  std::string from;                                   // MAIL FROM and the From header
  std::string default_destination;                    // for bare local names such as "root"
  std::string require_tls;                            // "", "yes" or "no"
};

// The field table (also for the man page check).
const config::Schema<SubmitConfig>& submit_config_schema();

// Parses and checks: Host and From required, From and DefaultDestination
// addresses, exactly one of TLS and STARTTLS, exactly one of Password,
// ClientAuthEd25519PrivateKey and ClientAuthCertPrivateKeyPEMFile (an
// absolute path), RequireTLS yes/no/empty, Port 1..65535. Errors read
// "FILE:LINE: field: message" (kSyntax / kUser).
Result<SubmitConfig> parse_submit_config(std::string_view text, const std::string& file);
Result<SubmitConfig> load_submit_config(const std::string& path);

}  // namespace mox::sendmail
