#include "daemon/listener.h"

#include <filesystem>
#include <vector>

#include "log/log.h"
#include "net/activation.h"
#include "tls/certs.h"
#include "util/fs.h"

namespace mox::daemon {

std::string default_ticket_key_file(const config::Config& config) {
  return (std::filesystem::path(config.data_dir()) / "tls-ticket-keys").string();
}

Result<tls::SslCtxPtr> make_server_ctx(const config::Config& config, const config::TLSConfig& tc,
                                       const tls::ServerTLSOptions& opts) {
  std::vector<tls::CertKey> certs;
  for (const auto& kc : tc.key_certs) {
    MOX_ASSIGN(tls::CertKey ck, tls::load_cert_key(config.config_path(kc.cert_file),
                                                   config.config_path(kc.key_file)));
    certs.push_back(std::move(ck));
  }
  return tls::make_server_ctx(std::move(certs), tc.min_version, opts);
}

Result<tls::SslCtxPtr> listener_ctx(const config::Config& cfg, const config::Listener& l,
                                    bool client_auth) {
  if (!l.tls || l.tls->key_certs.empty()) return tls::SslCtxPtr();
  tls::ServerTLSOptions to;
  to.request_client_cert = client_auth && !l.tls->client_auth_disabled;
  to.ticket_key_file = default_ticket_key_file(cfg);
  MOX_TRY(mkdir_all(cfg.data_dir(), 0770));
  MOX_ASSIGN(tls::SslCtxPtr ctx, make_server_ctx(cfg, *l.tls, to));
  // Made as root before the privilege drop: the unprivileged processes that
  // rotate the keys later must own the files.
  net::give_to_user(to.ticket_key_file, cfg.static_config().user);
  net::give_to_user(to.ticket_key_file + ".lock", cfg.static_config().user);
  return ctx;
}

Result<ServerBase> load_server_base(const std::string& config_path, const std::string& listener,
                                    bool client_auth) {
  ServerBase b;
  MOX_ASSIGN(b.cfg, config::Config::load(config_path));
  b.cache = std::make_unique<config::ConfigCache>(config_path, b.cfg);
  const auto& st = b.cfg->static_config();
  MOX_TRY(log::set_level_from_config(st.log_level));
  auto it = st.listeners.find(listener);
  if (it == st.listeners.end()) return user_error("listener \"" + listener + "\" not in mox.conf");
  b.listener = &it->second;
  b.hostname = b.listener->hostname.empty() ? st.hostname : b.listener->hostname;
  if (b.listener->smtp_max_message_size) b.max_message_size = b.listener->smtp_max_message_size;
  MOX_ASSIGN(b.tls, listener_ctx(*b.cfg, *b.listener, client_auth));
  return b;
}

}  // namespace mox::daemon
