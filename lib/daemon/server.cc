#include "daemon/server.h"

#include "daemon/serve.h"
#include "log/log.h"

namespace mox::daemon {

int run_server(const ServerSpec& spec, const ServerOptions& o, const ServiceSetup& setup) {
  Result<ServerBase> base = load_server_base(o.config_path, o.listener, spec.client_auth);
  if (!base) {
    log::error(base.error().message);
    return 1;
  }
  ServeOptions so;
  so.user = base->cfg->static_config().user;
  Result<Service> service = setup(*base);
  if (!service) {
    log::error(service.error().message);
    return 1;
  }
  so.listen = o.listen;
  so.max_conns = o.max_conns;
  so.busy_reply = service->busy_reply;
  so.fds_per_conn = spec.fds_per_conn;
  so.prog = spec.prog;
  if (auto st = serve_connections(so, service->handle); !st) {
    log::error("cannot serve", {{"cause", st.error().message}});
    return 1;
  }
  return 0;
}

}  // namespace mox::daemon
