#include "tls/listener.h"

#include "net/activation.h"
#include "tls/server.h"
#include "util/fs.h"

namespace mox::tls {

Result<SslCtxPtr> listener_ctx(const config::Config& cfg, const config::Listener& l) {
  if (!l.tls || l.tls->key_certs.empty()) return SslCtxPtr();
  ServerTLSOptions to;
  to.ticket_key_file = default_ticket_key_file(cfg);
  MOX_TRY(mkdir_all(cfg.data_dir(), 0770));
  MOX_ASSIGN(SslCtxPtr ctx, make_server_ctx(cfg, *l.tls, to));
  // Made as root before the privilege drop: the unprivileged processes that
  // rotate the keys later must own the files.
  net::give_to_user(to.ticket_key_file, cfg.static_config().user);
  net::give_to_user(to.ticket_key_file + ".lock", cfg.static_config().user);
  return ctx;
}

}  // namespace mox::tls
