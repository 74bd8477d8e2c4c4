// The TLS context of a mox.conf listener for a server program: certificates
// from KeyCerts, session tickets shared by all processes (docs/DESIGN.md
// "Shared state between processes"), files handed to the unprivileged User when
// made as root.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config/cache.h"
#include "config/config.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

// nullptr-valued result when the listener has no TLS.KeyCerts.
// `client_auth`: the program serves submission or IMAP, where client
// certificates are requested (mox-smtpd(8) "Authentication") unless
// TLS.ClientAuthDisabled.
Result<SslCtxPtr> listener_ctx(const config::Config& cfg, const config::Listener& l,
                               bool client_auth);

// What every server program derives from mox.conf for its listener.
struct ServerBase {
  std::shared_ptr<const config::Config> cfg;
  std::unique_ptr<config::ConfigCache> cache;  // re-reads domains.conf on change
  const config::Listener* listener = nullptr;  // inside *cfg
  std::string hostname;                        // the listener's, else Hostname
  int64_t max_message_size = config::kDefaultMaxMessageSize;  // SMTPMaxMessageSize
  std::chrono::milliseconds auth_delay_unit{1000};  // MOX_TEST_AUTH_DELAY_MS in tests
  SslCtxPtr tls;                                     // null without KeyCerts
};
Result<ServerBase> load_server_base(const std::string& config_path, const std::string& listener,
                                    bool client_auth);

}  // namespace mox::tls
