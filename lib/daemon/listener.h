// What a server program derives from mox.conf for its listener: the loaded
// config, the TLS context of the listener (certificates from KeyCerts,
// session tickets shared by all processes, docs/DESIGN.md "Shared state
// between processes"), files handed to the unprivileged User when made as
// root. Above config, tls and net (docs/DESIGN.md "Library"): lib/tls itself
// knows no configuration.
#pragma once

#include <memory>
#include <string>

#include "config/cache.h"
#include "config/config.h"
#include "config/types.h"
#include "tls/handles.h"
#include "tls/server.h"
#include "util/result.h"

namespace mox::daemon {

// <data dir>/tls-ticket-keys.
std::string default_ticket_key_file(const config::Config& config);

// Loads every TLS.KeyCerts entry (paths relative to the config directory,
// Config::config_path); the first is the default certificate, the others
// are chosen by SNI. MinVersion "TLSv1.2" (default) or "TLSv1.3".
// Errors: user_error without KeyCerts or for a key that does not match its
// certificate, not_found / syntax_error for missing or unreadable files.
Result<tls::SslCtxPtr> make_server_ctx(const config::Config& config, const config::TLSConfig& tc,
                                       const tls::ServerTLSOptions& opts);

// nullptr-valued result when the listener has no TLS.KeyCerts.
// `client_auth`: the program serves submission or IMAP, where client
// certificates are requested (mox-smtpd(8) "Authentication") unless
// TLS.ClientAuthDisabled.
Result<tls::SslCtxPtr> listener_ctx(const config::Config& cfg, const config::Listener& l,
                                    bool client_auth);

// What every server program derives from mox.conf for its listener.
struct ServerBase {
  std::shared_ptr<const config::Config> cfg;
  std::unique_ptr<config::ConfigCache> cache;                 // re-reads domains.conf on change
  const config::Listener* listener = nullptr;                 // inside *cfg
  std::string hostname;                                       // the listener's, else Hostname
  int64_t max_message_size = config::kDefaultMaxMessageSize;  // SMTPMaxMessageSize
  tls::SslCtxPtr tls;                                         // null without KeyCerts
};
Result<ServerBase> load_server_base(const std::string& config_path, const std::string& listener,
                                    bool client_auth);

}  // namespace mox::daemon
