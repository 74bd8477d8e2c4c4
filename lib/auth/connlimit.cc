#include "auth/connlimit.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <sstream>

#include "auth/authdb.h"
#include "log/ratelog.h"
#include "util/fs.h"
#include "util/mutex.h"

namespace mox::auth {
namespace {

int64_t limit_of(int64_t configured, int64_t default_value) {
  if (configured < 0) return 0;
  return configured == 0 ? default_value : configured;
}

// Field 22 (starttime) of /proc/PID/stat (proc(5)), or nullopt.
std::optional<int64_t> proc_start_time(int64_t pid) {
  Result<std::string> stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return std::nullopt;
  // The command (field 2) is in parentheses and may hold anything, ')'
  // too; field 3 follows the last ')'.
  const size_t paren = stat->rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(stat->substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return std::nullopt;
  }
  return std::strtoll(field.c_str(), nullptr, 10);
}

struct Counts {
  int64_t recent = 0, open = 0;
};

Result<Counts> count_connections(db::Db& db, std::string_view service, const IPAddr::KeyRange& r,
                                 int64_t now) {
  MOX_ASSIGN(auto q, db.prepare("SELECT COALESCE(SUM(Time > ?1), 0), COALESCE(SUM(Pid != 0), 0) "
                                "FROM Connection WHERE Service = ?2 AND IPKey BETWEEN ?3 AND ?4"));
  q.bind(1, now - kConnectionRateWindow).bind(2, service).bind(3, r.lo).bind(4, r.hi);
  MOX_TRY(q.step());
  return Counts{q.col_int(0), q.col_int(1)};
}

// The first class (narrowest first) with a limit reached, or kNone.
Result<Admission> check_limits(db::Db& db, std::string_view service, const IPAddr& a,
                               const ConnLimits& l, int64_t now) {
  for (size_t i = 0; i < std::size(kIPClasses); ++i) {
    MOX_ASSIGN(Counts n, count_connections(db, service, a.range(kIPClasses[i]), now));
    const int64_t rate = l.per_minute * kIPClasses[i].factor;
    const int64_t open = l.concurrent * kIPClasses[i].factor;
    if (l.per_minute > 0 && n.recent >= rate)
      return Admission{ConnRefusal::kRate, 0, i, n.recent, rate};
    if (l.concurrent > 0 && n.open >= open)
      return Admission{ConnRefusal::kConcurrent, 0, i, n.open, open};
  }
  return Admission{};
}

// Deletes the open rows of processes that are gone, of `service` in `r`
// (all rows when `service` is empty); returns how many.
Result<int64_t> reap_dead(db::Db& db, std::string_view service, const IPAddr::KeyRange& r,
                          const ProcessAlive& alive) {
  MOX_ASSIGN(auto q, db.prepare("SELECT DISTINCT Pid, PidStart FROM Connection WHERE Pid != 0 "
                                "AND (?1 = '' OR (Service = ?1 AND IPKey BETWEEN ?2 AND ?3))"));
  q.bind(1, service).bind(2, r.lo).bind(3, r.hi);
  std::vector<ProcessId> dead;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    ProcessId p{q.col_int(0), q.col_int(1)};
    if (!alive(p)) dead.push_back(p);
  }
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM Connection WHERE Pid = ?4 AND PidStart = ?5 AND "
                                  "(?1 = '' OR (Service = ?1 AND IPKey BETWEEN ?2 AND ?3))"));
  int64_t n = 0;
  for (const ProcessId& p : dead) {
    del.reset();
    MOX_TRY(del.bind(1, service).bind(2, r.lo).bind(3, r.hi).bind(4, p.pid).bind(5, p.start).run());
    n += db.changes();
  }
  return n;
}

// Every this many admissions, the whole table is pruned.
constexpr int64_t kPruneEvery = 256;

std::string class_name(std::string_view ip, size_t ip_class) {
  auto a = IPAddr::parse(ip);
  const IPClass& c = kIPClasses[ip_class];
  if (!a) return "address";
  return a->v4() ? "IPv4 /" + std::to_string(c.ipv4_bits) : "IPv6 /" + std::to_string(c.ipv6_bits);
}

}  // namespace

ConnLimits conn_limits(const config::ConnectionLimits& c) {
  ConnLimits l;
  l.per_minute = limit_of(c.rate_per_minute, kDefaultConnectionsPerMinute);
  l.concurrent = limit_of(c.concurrent, kDefaultConcurrentConnections);
  l.limit_loopback = c.limit_loopback;
  return l;
}

ProcessId ProcessId::self() {
  ProcessId p;
  p.pid = ::getpid();
  p.start = proc_start_time(p.pid).value_or(0);
  return p;
}

bool process_alive(const ProcessId& p) {
  if (p.pid <= 0) return false;
  if (p.start != 0) {
    if (std::optional<int64_t> start = proc_start_time(p.pid)) return *start == p.start;
  }
  // No start time recorded, or /proc does not show the process (mounted
  // with hidepid, say): the pid alone.
  return ::kill(static_cast<pid_t>(p.pid), 0) == 0 || errno == EPERM;
}

Result<Admission> admit_connection(db::Db& db, std::string_view service, std::string_view ip,
                                   const ConnLimits& limits, const ProcessId& owner, int64_t now,
                                   const ProcessAlive& alive) {
  MOX_ASSIGN(IPAddr a, IPAddr::parse(ip));
  if ((a.loopback() && !limits.limit_loopback) ||
      (limits.per_minute <= 0 && limits.concurrent <= 0)) {
    return Admission{};
  }
  const IPAddr::KeyRange widest = a.range(kIPClasses[std::size(kIPClasses) - 1]);
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(Admission adm, check_limits(db, service, a, limits, now));
  if (adm.refused == ConnRefusal::kConcurrent) {
    MOX_ASSIGN(int64_t reaped, reap_dead(db, service, widest, alive));
    if (reaped > 0) {
      MOX_ASSIGN(adm, check_limits(db, service, a, limits, now));
    }
  }
  if (adm.refused != ConnRefusal::kNone) {
    MOX_TRY(tx.commit());  // the reaped rows stay gone
    return adm;
  }
  MOX_ASSIGN(auto ins, db.prepare("INSERT INTO Connection (Service, IPKey, Time, Pid, PidStart) "
                                  "VALUES (?, ?, ?, ?, ?)"));
  MOX_TRY(ins.bind(1, service)
              .bind(2, a.key())
              .bind(3, now)
              .bind(4, owner.pid)
              .bind(5, owner.start)
              .run());
  adm.id = db.last_insert_id();
  // Keep the table small without a full scan: closed rows past the minute
  // in the widest class's range.
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM Connection WHERE Service = ? AND IPKey BETWEEN ? "
                                  "AND ? AND Pid = 0 AND Time <= ?"));
  MOX_TRY(del.bind(1, service)
              .bind(2, widest.lo)
              .bind(3, widest.hi)
              .bind(4, now - kConnectionRateWindow)
              .run());
  // And now and then the addresses that did not come back.
  if (adm.id % kPruneEvery == 0) MOX_TRY(prune_connections(db, now, alive));
  MOX_TRY(tx.commit());
  return adm;
}

Result<int64_t> prune_connections(db::Db& db, int64_t now, const ProcessAlive& alive) {
  MOX_ASSIGN(int64_t n, reap_dead(db, "", IPAddr::KeyRange{}, alive));
  MOX_ASSIGN(auto del, db.prepare("DELETE FROM Connection WHERE Pid = 0 AND Time <= ?"));
  MOX_TRY(del.bind(1, now - kConnectionRateWindow).run());
  return n + db.changes();
}

Status close_connection(db::Db& db, int64_t id) {
  MOX_ASSIGN(auto q, db.prepare("UPDATE Connection SET Pid = 0 WHERE ID = ?"));
  return q.bind(1, id).run();
}

struct ConnLimiter::Slot::State {
  std::string data_dir, service, prog;
  ConnLimits limits;
  ProcessId self = ProcessId::self();
  Mutex mu;
  std::optional<db::Db> db GUARDED_BY(mu);
  RateLog refusals, failures;

  // Logs and returns null when auth.db cannot be opened.
  db::Db* open_db() REQUIRES(mu) {
    if (!db) {
      auto d = open_auth_db(data_dir);
      if (!d) {
        failures.error("connection limits not enforced", {{"cause", d.error().message}});
        return nullptr;
      }
      db.emplace(std::move(*d));
    }
    return &*db;
  }
};

ConnLimiter::ConnLimiter(std::string data_dir, std::string service, ConnLimits limits,
                         std::string prog)
    : st_(std::make_shared<Slot::State>()) {
  st_->data_dir = std::move(data_dir);
  st_->service = std::move(service);
  st_->limits = limits;
  st_->prog = std::move(prog);
}

ConnLimiter::~ConnLimiter() = default;

ConnLimiter::Slot::Slot(Slot&& o) noexcept : st_(std::move(o.st_)), id_(o.id_) { o.id_ = 0; }

ConnLimiter::Slot::~Slot() {
  if (!st_ || id_ == 0) return;
  MutexLock lock(st_->mu);
  db::Db* db = st_->open_db();
  if (db == nullptr) return;
  if (auto st = close_connection(*db, id_); !st) {
    st_->failures.error("recording the end of a connection failed",
                        {{"cause", st.error().message}});
  }
}

std::optional<ConnLimiter::Slot> ConnLimiter::admit(std::string_view ip) {
  const ConnLimits& l = st_->limits;
  if (l.per_minute <= 0 && l.concurrent <= 0) return Slot(st_, 0);
  MutexLock lock(st_->mu);
  db::Db* db = st_->open_db();
  if (db == nullptr) return Slot(st_, 0);
  Result<Admission> r = admit_connection(*db, st_->service, ip, l, st_->self, db::now_unix());
  if (!r) {
    // Without an IP address (a pipe, a Unix socket) there is nothing to limit.
    if (r.error().kind != ErrorKind::kSyntax) {
      st_->failures.error("connection limits not enforced",
                          {{"remote", ip}, {"cause", r.error().message}});
    }
    return Slot(st_, 0);
  }
  if (r->refused == ConnRefusal::kNone) return Slot(st_, r->id);
  const char* what =
      r->refused == ConnRefusal::kRate ? "new connections in the last minute" : "open connections";
  st_->refusals.error("connection refused", {{"remote", ip},
                                             {"cause", std::string("too many ") + what},
                                             {"count", r->count},
                                             {"limit", r->limit},
                                             {"class", class_name(ip, r->ip_class)}});
  return std::nullopt;
}

std::optional<ConnLimiter::Slot> ConnLimiter::admit(net::Conn& conn, SSL_CTX* implicit_tls,
                                                    std::string_view refusal) {
  std::optional<Slot> slot = admit(conn.remote_ip());
  if (slot) return slot;
  using namespace std::chrono_literals;
  if (implicit_tls == nullptr || conn.start_tls_server(implicit_tls, 10s)) {
    (void)conn.write_all(refusal, 10s);
  }
  conn.shutdown();
  return std::nullopt;
}

}  // namespace mox::auth
