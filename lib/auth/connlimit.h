// Per-IP connection limits of the servers (mox-smtpd, mox-imapd), shared by
// every process through auth.db's Connection table: a server running many
// connections in threads (--listen, systemd Accept=no) and servers started
// once per connection (inetd, systemd Accept=yes) count together.
//
// Two limits per class of the remote address (auth/ipclass.h), as mox has
// for SMTP and IMAP (its ratelimit package): new connections per minute
// (default 300, 900 and 2700 for the exact IPv4 address or IPv6 /64, the
// IPv4 /26 or IPv6 /48, and the IPv4 /21 or IPv6 /32), and connections open
// at once (default 30, 90, 270). Each server program ("smtp", "imap")
// counts its own connections. The minute is a sliding window (a connection
// counts for 60 s after it was accepted); mox uses fixed windows. A refused
// connection is not counted. Loopback addresses (127.0.0.0/8, ::1) are
// exempt unless ConnLimits::limit_loopback.
//
// Storage: one row per accepted connection: Service, IPKey (IPAddr::key),
// Time accepted, and while it is open the serving process (Pid and its
// start time PidStart, /proc/PID/stat field 22); closing sets Pid to 0, and
// closed rows older than a minute are deleted. A process that dies without
// closing its rows (killed, crashed) leaves them open: when the open rows
// of an address reach a limit, rows whose process no longer runs (no such
// pid, or a pid reused by a process that started at another time) are
// deleted and the count is taken again (and prune_connections does this
// for all addresses now and then). Check and insert are one write
// transaction, so processes admitting at the same moment cannot together
// exceed a limit.
//
// Thread- and process-safety: the functions take a Db that the caller does
// not share between threads during the call; ConnLimiter may be used from
// any thread.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/ipclass.h"
#include "config/types.h"
#include "db/sqlite.h"
#include "net/conn.h"
#include "util/result.h"

namespace mox::auth {

inline constexpr int64_t kDefaultConnectionsPerMinute = 300;
inline constexpr int64_t kDefaultConcurrentConnections = 30;
inline constexpr int64_t kConnectionRateWindow = 60;  // seconds

struct ConnLimits {
  // Of the narrowest class; the wider ones allow IPClass::factor times as
  // many. 0: no limit.
  int64_t per_minute = kDefaultConnectionsPerMinute;
  int64_t concurrent = kDefaultConcurrentConnections;
  bool limit_loopback = false;
};
// The limits of mox.conf's ConnectionLimits (0: default, -1: none).
ConnLimits conn_limits(const config::ConnectionLimits& c);

// A process, as it is recorded for its open connections.
struct ProcessId {
  int64_t pid = 0;
  int64_t start = 0;  // clock ticks after boot (proc(5), /proc/PID/stat field 22)
  static ProcessId self();
};
// Whether the process recorded as `p` still runs.
using ProcessAlive = std::function<bool(const ProcessId& p)>;
bool process_alive(const ProcessId& p);

enum class ConnRefusal { kNone, kRate, kConcurrent };
struct Admission {
  ConnRefusal refused = ConnRefusal::kNone;
  int64_t id = 0;  // the Connection row when admitted (0: exempt)
  // When refused: the class (index into kIPClasses), its count and limit.
  size_t ip_class = 0;
  int64_t count = 0, limit = 0;
};

// Checks the limits of `service` for `ip` at `now` and, when none is
// reached, records an open connection of `owner`. Errors: kSyntax for an
// invalid ip; database errors.
Result<Admission> admit_connection(db::Db& db, std::string_view service, std::string_view ip,
                                   const ConnLimits& limits, const ProcessId& owner, int64_t now,
                                   const ProcessAlive& alive = process_alive);
// The connection of row `id` (from admit_connection) has ended.
Status close_connection(db::Db& db, int64_t id);
// Deletes the rows of every address that no limit needs any more: closed
// more than a minute ago, or of a process that is gone. Returns how many.
// admit_connection calls it now and then.
Result<int64_t> prune_connections(db::Db& db, int64_t now,
                                  const ProcessAlive& alive = process_alive);

// What a server keeps per process: the limits and a lazily opened auth.db.
// Its failures (auth.db cannot be opened, a database error) admit the
// connection and are logged: a broken limiter must not stop the mail.
class ConnLimiter {
 public:
  // `prog` starts log lines ("mox-smtpd"); `service` names whose
  // connections are counted ("smtp", "imap").
  ConnLimiter(std::string data_dir, std::string service, ConnLimits limits, std::string prog);
  ~ConnLimiter();

  // An admitted connection; counts as open until destroyed. May outlive
  // the ConnLimiter.
  class Slot {
   public:
    Slot(Slot&& o) noexcept;
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConnLimiter;
    struct State;
    Slot(std::shared_ptr<State> st, int64_t id) : st_(std::move(st)), id_(id) {}
    std::shared_ptr<State> st_;
    int64_t id_ = 0;
  };

  // Admits a connection from `ip`, or returns nullopt when a limit is
  // reached (then a line goes to stderr, at most one per 10 s per process,
  // naming the address, the limit and its class).
  std::optional<Slot> admit(std::string_view ip);
  // admit(conn.remote_ip()); a refused connection is answered `refusal` (a
  // full line with CRLF), after a TLS handshake with `implicit_tls` when
  // not null, and shut down.
  std::optional<Slot> admit(net::Conn& conn, SSL_CTX* implicit_tls, std::string_view refusal);

 private:
  std::shared_ptr<Slot::State> st_;
};

}  // namespace mox::auth
