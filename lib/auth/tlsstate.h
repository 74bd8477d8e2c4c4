// What a server connection knows about its TLS: shared by the SMTP and IMAP
// sessions (which do no I/O) and filled in by ConnAuth::start_tls.
#pragma once

#include <optional>
#include <string>

namespace mox::auth {

// What a verified TLS client certificate logs in as (mox-smtpd(8)
// "Authentication").
struct CertLogin {
  std::string fingerprint, account, login_address;
  bool no_imap_preauth = false;
  // Non-empty: the account's LoginDisabled message. The handshake still
  // succeeds (docs/DESIGN.md "Differences from mox"); the protocol refuses the
  // login with the message.
  std::string login_disabled;
};

struct TLSState {
  bool active = false;
  std::string description;                     // for login attempts and Received
  std::optional<std::string> channel_binding;  // tls-exporter (RFC 9266)
  // The client certificate's login, when the client presented a registered
  // key on a listener that asks for client certificates.
  std::optional<CertLogin> cert;
  // Non-empty: a resumed session's certificate no longer logs in (key
  // removed, docs/DESIGN.md "Shared state between processes"); the protocol
  // ends the connection with this reason.
  std::string cert_error;
};

}  // namespace mox::auth
