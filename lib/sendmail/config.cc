#include "sendmail/config.h"

#include <unistd.h>

#include "smtp/address.h"
#include "util/fs.h"

namespace mox::sendmail {

const config::Schema<SubmitConfig>& submit_config_schema() {
  using config::DecodeCtx;
  using config::field_error;
  using config::field_error_at;
  using config::Node;
  using S = SubmitConfig;
  static const config::Schema<S> s =
      config::Schema<S>()
          .str("LocalHostname", &S::local_hostname,
               "Host name for EHLO; default: the system's host name.")
          .str("Host", &S::host, "Submission server to connect to, e.g. mail.example.com.")
          .integer("Port", &S::port, "Port; default 465 with TLS, 587 with STARTTLS.")
          .boolean("TLS", &S::tls, "Connect with implicit TLS (submissions, port 465).")
          .boolean("STARTTLS", &S::starttls,
                   "Connect in plain text and require STARTTLS (port 587).")
          .boolean("TLSInsecureSkipVerify", &S::tls_insecure_skip_verify,
                   "Do not verify the server's TLS certificate (testing only).")
          .str("Username", &S::username, "Login address for password authentication; default From.")
          .str("Password", &S::password, "Password for SMTP AUTH.")
          .str("ClientAuthEd25519PrivateKey", &S::client_auth_ed25519_private_key,
               "TLS client authentication with this ed25519 private key: the raw 32-byte seed "
               "in base64url; a minimal certificate is made for each connection.")
          .str("ClientAuthCertPrivateKeyPEMFile", &S::client_auth_cert_private_key_pem_file,
               "TLS client authentication with the PKCS#8 private key and certificate chain in "
               "this PEM file (absolute path).")
          .str("AuthMethod", &S::auth_method,
               "Only use this SASL mechanism, e.g. SCRAM-SHA-256-PLUS or EXTERNAL; default: the "
               "strongest both sides support.")
          .str("From", &S::from, "Address for MAIL FROM and the From header.")
          .str("DefaultDestination", &S::default_destination,
               "Recipient for addresses without @, such as root.")
          .str("RequireTLS", &S::require_tls,
               "yes: SMTP REQUIRETLS (RFC 8689) for the whole path; no: add TLS-Required: No; "
               "empty: the server's policy.")
          .check([](S& c, const Node& n, const DecodeCtx& ctx) -> Status {
            if (c.host.empty()) return field_error(ctx, n, "Host is required");
            if (c.from.empty()) return field_error(ctx, n, "From is required");
            if (!smtp::Address::parse(c.from)) {
              return field_error_at(ctx, n, "From", "From is not a valid address");
            }
            if (!c.default_destination.empty() && !smtp::Address::parse(c.default_destination)) {
              return field_error_at(ctx, n, "DefaultDestination",
                                    "DefaultDestination is not a valid address");
            }
            if (c.tls == c.starttls) {
              return field_error(ctx, n, "exactly one of TLS and STARTTLS must be true");
            }
            int secrets = !c.password.empty() + !c.client_auth_ed25519_private_key.empty() +
                          !c.client_auth_cert_private_key_pem_file.empty();
            if (secrets != 1) {
              return field_error(ctx, n,
                                 "exactly one of Password, ClientAuthEd25519PrivateKey and "
                                 "ClientAuthCertPrivateKeyPEMFile must be set");
            }
            if (!c.client_auth_cert_private_key_pem_file.empty() &&
                c.client_auth_cert_private_key_pem_file[0] != '/') {
              return field_error_at(ctx, n, "ClientAuthCertPrivateKeyPEMFile",
                                    "ClientAuthCertPrivateKeyPEMFile must be an absolute path");
            }
            if (c.require_tls != "" && c.require_tls != "yes" && c.require_tls != "no") {
              return field_error_at(ctx, n, "RequireTLS", "RequireTLS must be yes, no or empty");
            }
            if (c.port == 0) c.port = c.tls ? 465 : 587;
            if (c.port < 1 || c.port > 65535) {
              return field_error_at(ctx, n, "Port", "Port must be between 1 and 65535");
            }
            if (c.username.empty()) c.username = c.from;
            if (c.local_hostname.empty()) {
              char buf[256] = {};
              if (::gethostname(buf, sizeof buf - 1) == 0) c.local_hostname = buf;
              if (c.local_hostname.empty()) c.local_hostname = "localhost";
            }
            return {};
          });
  return s;
}

Result<SubmitConfig> parse_submit_config(std::string_view text, const std::string& file) {
  MOX_ASSIGN(config::Node root, config::parse_sconf(text, file));
  SubmitConfig c;
  MOX_TRY(submit_config_schema().decode(root, c, config::DecodeCtx{file, ""}));
  return c;
}

Result<SubmitConfig> load_submit_config(const std::string& path) {
  MOX_ASSIGN(std::string text, read_file(path));
  return parse_submit_config(text, path);
}

}  // namespace mox::sendmail
