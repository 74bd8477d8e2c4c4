#include "daemon/serve.h"

#include <sys/resource.h>

#include <optional>

#include "log/log.h"
#include "net/accept_loop.h"
#include "net/activation.h"

namespace mox::daemon {

long raise_nofile_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
    (void)::getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(rl.rlim_cur);
}

Status serve_connections(const ServeOptions& o, const std::function<void(net::Conn)>& handle) {
  using net::Conn;
  net::ignore_sigpipe();
  std::vector<int> fds;
  std::vector<UniqueFd> owned;
  MOX_ASSIGN(auto sd, net::systemd_listen_fds());
  std::optional<int> accepted;
  for (const auto& f : sd) {
    // systemd Accept=yes may pass the connection itself (name "connection").
    if (net::is_listening(f.fd)) {
      fds.push_back(f.fd);
    } else {
      accepted = f.fd;
    }
  }
  for (const auto& addr : o.listen) {
    MOX_ASSIGN(UniqueFd fd, net::listen_tcp(addr));
    fds.push_back(fd.get());
    owned.push_back(std::move(fd));
  }
  // Sockets and keys are open: from here on no root is needed.
  MOX_TRY(net::drop_privileges(o.user));
  if (accepted) {
    handle(Conn(UniqueFd(*accepted)));
    return {};
  }
  if (fds.empty() && net::is_listening(0)) {
    fds.push_back(0);  // inetd "wait" service: the listening socket on fd 0
  } else if (fds.empty()) {
    handle(Conn::inetd());  // inetd / systemd Accept=yes with StandardInput=socket
    return {};
  }
  net::AcceptLoopOptions lo;
  lo.max_conns = o.max_conns;
  lo.busy_reply = o.busy_reply;
  lo.prog = o.prog;
  long limit = raise_nofile_limit();
  long need = static_cast<long>(o.max_conns) * o.fds_per_conn + 64;
  if (limit >= 0 && limit < need) {
    log::error("descriptor limit too low for --max-connections",
               {{"limit", static_cast<int64_t>(limit)},
                {"needed", static_cast<int64_t>(need)},
                {"max_connections", o.max_conns},
                {"hint",
                 "raise LimitNOFILE= or lower --max-connections; connections beyond the limit are "
                 "refused"}});
  }
  return net::serve_accept_loop(
      fds, [&](UniqueFd fd, int) { handle(Conn(std::move(fd))); }, lo);
}

}  // namespace mox::daemon
