#include "queue/deliver.h"

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "log/log.h"
#include "message/header.h"
#include "queue/admin.h"
#include "queue/dsn.h"
#include "queue/msg.h"
#include "queue/original.h"
#include "queue/queuedb.h"
#include "queue/schedule.h"
#include "queue/suppress.h"
#include "util/encoding.h"
#include "util/fs.h"
#include "util/mutex.h"
#include "util/unique_fd.h"

namespace mox::queue {
namespace {

enum class Kind { kDelivered, kTemporary, kPermanent };

struct Outcome {
  Kind kind = Kind::kTemporary;
  AttemptResult r;
  // The remote reply's text without its codes, for the DSN's
  // Diagnostic-Code (RFC 3464 §2.3.6: "smtp; 550 5.1.1 text"), which adds
  // the codes itself; "" when there was no reply.
  std::string reply_text;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void log(const RunEnv& env, const std::string& line) {
  if (env.log) env.log(line);
}

// "host:pid:random" of a runner on this host whose process is gone.
bool dead_local_owner(const std::string& owner) {
  auto a = owner.find(':');
  auto b = owner.find(':', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return false;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  if (owner.substr(0, a) != host) return false;
  pid_t pid = static_cast<pid_t>(std::strtol(owner.substr(a + 1, b - a - 1).c_str(), nullptr, 10));
  return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Ends the leases of runners on this host that died (crash, kill -9), so
// their messages need not wait for the lease to expire.
Status reclaim_dead_leases(db::Db& db, int64_t now) {
  MOX_ASSIGN(auto q, db.prepare("SELECT DISTINCT LeaseOwner FROM Msg WHERE LeaseUntil>?"));
  q.bind(1, now);
  std::vector<std::string> dead;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    if (dead_local_owner(q.col_text(0))) dead.push_back(q.col_text(0));
  }
  for (const auto& owner : dead) {
    MOX_ASSIGN(auto up,
               db.prepare("UPDATE Msg SET LeaseOwner='', LeaseUntil=0 WHERE LeaseOwner=?"));
    MOX_TRY(up.bind(1, owner).run());
  }
  return {};
}

// Leases up to env.batch due messages; returns their IDs.
Result<std::vector<int64_t>> lease(db::Db& db, const RunEnv& env, int64_t now) {
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_TRY(reclaim_dead_leases(db, now));
  MOX_ASSIGN(auto q,
             db.prepare("SELECT ID FROM Msg WHERE Hold=0 AND NextAttempt<=? AND LeaseUntil<=? "
                        "ORDER BY NextAttempt, ID LIMIT ?"));
  q.bind(1, now).bind(2, now).bind(3, env.batch);
  std::vector<int64_t> ids;
  while (true) {
    MOX_ASSIGN(bool row, q.step());
    if (!row) break;
    ids.push_back(q.col_int(0));
  }
  MOX_ASSIGN(auto up, db.prepare("UPDATE Msg SET LeaseOwner=?, LeaseUntil=? WHERE ID=?"));
  for (int64_t id : ids) {
    up.reset();
    MOX_TRY(up.bind(1, env.owner).bind(2, now + kLeaseSeconds).bind(3, id).run());
  }
  MOX_TRY(tx.commit());
  return ids;
}

// The hosts to try for a domain, best first (RFC 5321 §5.1), or the outcome
// for every recipient of the domain when there are none.
struct Route {
  std::vector<std::string> hosts;
  std::optional<Outcome> failure;
};

Outcome fail_outcome(Kind k, int64_t start, std::string secode, std::string error) {
  Outcome o;
  o.kind = k;
  o.r.start = start;
  o.r.secode = std::move(secode);
  o.r.error = std::move(error);
  return o;
}

Route route(dns::Resolver& resolver, const std::string& domain, int64_t start) {
  Route rt;
  auto mx = resolver.mx(domain);
  if (!mx) {
    const auto& e = mx.error();
    if (e.kind == ErrorKind::kNotFound && e.message.find("NXDOMAIN") != std::string::npos) {
      rt.failure = fail_outcome(Kind::kPermanent, start, "5.1.2",
                                "recipient domain " + domain + " does not exist (NXDOMAIN)");
    } else if (e.kind == ErrorKind::kNotFound) {
      rt.hosts = {domain};  // no MX: the domain itself, as MX with preference 0 (§5.1)
    } else {
      rt.failure = fail_outcome(is_temporary(e) ? Kind::kTemporary : Kind::kPermanent, start,
                                is_temporary(e) ? "4.4.3" : "5.4.4",
                                "looking up MX records of " + domain + ": " + e.message);
    }
    return rt;
  }
  auto records = mx->records;
  // RFC 7505 §3: a single MX of "." means the domain accepts no mail.
  if (records.size() == 1 && records[0].host.empty()) {
    rt.failure = fail_outcome(Kind::kPermanent, start, "5.1.10",
                              "recipient domain " + domain + " does not accept mail (null MX)");
    return rt;
  }
  // Random order among equal preferences (§5.1), then by preference.
  for (size_t i = records.size(); i > 1; --i) {
    std::swap(records[i - 1], records[randombytes_uniform(static_cast<uint32_t>(i))]);
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const dns::Mx& a, const dns::Mx& b) { return a.preference < b.preference; });
  for (const auto& r : records) {
    if (!r.host.empty()) rt.hosts.push_back(r.host);
  }
  return rt;
}

// A host's addresses, IPv6 first as most MTAs do; empty with `why` set when
// the host has none.
std::vector<std::string> addresses(dns::Resolver& resolver, const std::string& host,
                                   std::string& why) {
  std::vector<std::string> ips;
  auto v6 = resolver.aaaa(host);
  if (v6) ips.insert(ips.end(), v6->records.begin(), v6->records.end());
  auto v4 = resolver.a(host);
  if (v4) ips.insert(ips.end(), v4->records.begin(), v4->records.end());
  if (ips.empty()) why = "no addresses for host " + host + (v4 ? "" : ": " + v4.error().message);
  return ips;
}

Outcome from_failure(const smtpclient::Failure& f, int64_t start, const std::string& host) {
  Outcome o;
  o.kind = f.permanent ? Kind::kPermanent : Kind::kTemporary;
  o.r.start = start;
  o.r.host = host;
  if (f.reply) {
    o.r.code = f.reply->code;
    o.r.secode = f.reply->enhanced;
    o.r.error = f.message;
    std::string full = f.reply->str();  // "550 5.1.1 text; more text"
    size_t codes = std::to_string(f.reply->code).size() + 1 +
                   (f.reply->enhanced.empty() ? 0 : f.reply->enhanced.size() + 1);
    o.reply_text = full.size() > codes ? full.substr(codes) : "";
  } else {
    o.r.secode = f.permanent ? "5.0.0" : "4.4.1";  // RFC 3463 §3.5: no answer from host
    o.r.error = f.message;
  }
  return o;
}

Result<smtp::Address> address_of(const std::string& local, const std::string& domain) {
  MOX_ASSIGN(auto l, smtp::Localpart::from_value(local));
  MOX_ASSIGN(auto d, smtp::Domain::parse(domain));
  return smtp::Address(std::move(l), std::move(d));
}

// One message transaction for the messages of one BaseID (same file,
// different recipients) over an open connection.
void transact(smtpclient::Client& c, const std::vector<const Msg*>& msgs, const RunEnv& env,
              int64_t start, std::map<int64_t, Outcome>& out) {
  const Msg& first = *msgs[0];
  smtpclient::Envelope envl;
  std::vector<const Msg*> sent;
  if (!first.sender().empty()) {
    auto from = address_of(first.sender_localpart, first.sender_domain);
    if (!from) {
      for (const auto* m : msgs) {
        out[m->id] = fail_outcome(Kind::kPermanent, start, "5.1.7",
                                  "bad sender address: " + from.error().message);
      }
      return;
    }
    envl.mail_from = *from;
  }
  envl.smtputf8 = first.smtputf8;
  for (const auto* m : msgs) {
    auto rcpt = address_of(m->recipient_localpart, m->recipient_domain);
    if (!rcpt) {
      out[m->id] = fail_outcome(Kind::kPermanent, start, "5.1.3",
                                "bad recipient address: " + rcpt.error().message);
      continue;
    }
    envl.rcpts.push_back(*rcpt);
    sent.push_back(m);
  }
  if (sent.empty()) return;
  UniqueFd fd(
      ::open(queue_message_path(env.config->data_dir(), first.id).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    for (const auto* m : sent) {
      out[m->id] =
          fail_outcome(Kind::kTemporary, start, "4.3.0", "opening queued message file failed");
    }
    return;
  }
  auto d = c.deliver(envl, smtpclient::Message::file(fd.get(), first.msg_prefix));
  crashpoint("queue-after-remote-reply");
  for (size_t i = 0; i < sent.size(); ++i) {
    auto f = d.result(i);
    if (!f) {
      Outcome o;
      o.kind = Kind::kDelivered;
      o.r.start = start;
      o.r.success = true;
      o.r.host = c.remote();
      if (d.data) {
        o.r.code = d.data->code;
        o.r.secode = d.data->enhanced;
        o.r.error = d.data->str();
      }
      out[sent[i]->id] = o;
    } else {
      out[sent[i]->id] = from_failure(*f, start, c.remote());
    }
  }
}

smtpclient::Options client_options(const RunEnv& env) {
  const auto& st = env.config->static_config();
  smtpclient::Options o;
  o.local_hostname = st.hostname;
  o.tls =
      st.queue.verify_tls ? smtpclient::TLSMode::kStartTLS : smtpclient::TLSMode::kOpportunistic;
  o.tls_verify = st.queue.verify_tls;
  if (!st.queue.ca_file.empty()) o.ca_file = env.config->config_path(st.queue.ca_file);
  o.timeouts = env.timeouts;
  o.log = env.log;
  return o;
}

// Sends the DSNs for the failed and delayed messages, one per BaseID and
// kind, before their records change: a crash in between repeats a DSN,
// never loses one.
void send_dsns(const RunEnv& env, const std::vector<const Msg*>& msgs,
               const std::map<int64_t, Outcome>& out, const std::map<int64_t, bool>& failed_now,
               int64_t now) {
  std::map<std::pair<int64_t, bool>, Dsn> dsns;
  for (const auto* m : msgs) {
    auto f = failed_now.find(m->id);
    if (f == failed_now.end() || m->sender().empty()) continue;
    const Outcome& o = out.at(m->id);
    bool failed = f->second;
    auto& d = dsns[{m->base_id, failed}];
    if (d.recipients.empty()) {
      d.reporting_mta = env.config->static_config().hostname;
      d.to = m->sender();
      d.original_message_id = m->message_id;
      d.original_subject = m->subject;
      d.original_header = original_header(env.config->data_dir(), m->id);
      d.arrival = m->queued;
      d.now = now;
      int64_t max = m->max_attempts ? m->max_attempts : kDefaultMaxAttempts;
      d.will_retry_until = m->queued + total_retry_seconds(max);
    }
    DsnRecipient r;
    r.address = m->recipient();
    r.failed = failed;
    r.status = o.r.secode;
    if (r.status.empty() || (failed && o.kind == Kind::kPermanent && r.status[0] != '5')) {
      r.status = failed ? "5.0.0" : "4.0.0";
    }
    r.code = o.r.code;
    r.diagnostic = o.reply_text.empty() ? o.r.error : o.reply_text;
    r.remote_mta = o.r.host;
    r.last_attempt = now;
    d.recipients.push_back(std::move(r));
  }
  for (const auto& [key, d] : dsns) {
    const Msg* m = nullptr;
    for (const auto* x : msgs) {
      if (x->base_id == key.first) m = x;
    }
    auto st = deliver_dsn(*env.config, m->sender_account, d);
    log(env, std::string(key.second ? "failure" : "delay") + " DSN for message " +
                 std::to_string(key.first) + " to " + d.to +
                 (st ? "" : " not delivered: " + st.error().message));
  }
}

// Records outcomes as the delivery threads get them: a call returns when
// the records are committed (one small transaction per message), so a
// runner that dies repeats at most the transactions in flight, one per
// connection. The database connection is used by one thread at a time,
// under the mutex. After a database error nothing more is recorded, and
// the threads start no more deliveries (their messages keep the lease).
class Recorder {
 public:
  Recorder(db::Db& db, const RunEnv& env) : db_(db), env_(env) {}

  // Records `out` (an outcome for each of `msgs`); the attempts started at
  // `t0_ms` (now_ms()).
  void record(const std::vector<const Msg*>& msgs, std::map<int64_t, Outcome>& out, int64_t t0_ms)
      EXCLUDES(mu_) {
    if (msgs.empty()) return;
    int64_t dur = now_ms() - t0_ms;
    for (const auto* m : msgs) out.at(m->id).r.duration_ms = dur;
    MutexLock lock(mu_);
    if (failed_) return;
    if (auto st = record_locked(msgs, out, env_.now()); !st) {
      status_ = std::move(st);
      failed_ = true;
    }
  }
  // The same outcome for each of `msgs`.
  void record_all(const std::vector<const Msg*>& msgs, const Outcome& o, int64_t t0_ms) {
    std::map<int64_t, Outcome> out;
    for (const auto* m : msgs) out[m->id] = o;
    record(msgs, out, t0_ms);
  }
  bool failed() const { return failed_; }
  Result<RunStats> result() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    if (!status_) return status_.error();
    return stats_;
  }

 private:
  Status record_locked(const std::vector<const Msg*>& msgs, const std::map<int64_t, Outcome>& out,
                       int64_t now) REQUIRES(mu_);

  Mutex mu_;
  db::Db& db_ GUARDED_BY(mu_);
  const RunEnv& env_;
  std::atomic<bool> failed_{false};
  Status status_ GUARDED_BY(mu_);
  RunStats stats_ GUARDED_BY(mu_);
};

Status Recorder::record_locked(const std::vector<const Msg*>& msgs,
                               const std::map<int64_t, Outcome>& out, int64_t now) {
  std::map<int64_t, bool> dsn_kind;  // message ID → failed (true) / delayed (false)
  for (const auto* m : msgs) {
    const Outcome& o = out.at(m->id);
    int64_t max =
        m->max_attempts ? m->max_attempts : env_.config->static_config().queue.max_attempts;
    if (max <= 0) max = kDefaultMaxAttempts;
    if (o.kind == Kind::kPermanent || (o.kind == Kind::kTemporary && m->attempts + 1 >= max)) {
      dsn_kind[m->id] = true;
    } else if (o.kind == Kind::kTemporary && m->attempts + 1 == kDelayedDsnAfter) {
      dsn_kind[m->id] = false;
    }
  }
  send_dsns(env_, msgs, out, dsn_kind, now);
  for (const auto* m : msgs) {
    const Outcome& o = out.at(m->id);
    auto k = dsn_kind.find(m->id);
    bool final_failure = k != dsn_kind.end() && k->second;
    Status st;
    if (o.kind == Kind::kDelivered || final_failure) {
      st = retire(db_, env_.config->data_dir(), m->id, o.r,
                  keep_retired_seconds(*env_.config, m->sender_account), now);
      if (o.kind == Kind::kDelivered)
        ++stats_.delivered;
      else
        ++stats_.failed;
      // Addresses that do not exist (RFC 3463 X.1.1 bad mailbox, X.1.2 bad
      // system, X.1.10 null MX) get no more mail from this account.
      if (o.kind == Kind::kPermanent &&
          (o.r.secode == "5.1.1" || o.r.secode == "5.1.2" || o.r.secode == "5.1.10")) {
        (void)add_suppression(db_, m->sender_account, m->recipient(), false,
                              (o.r.code ? std::to_string(o.r.code) + " " : "") + o.r.error, now);
      }
    } else {
      st = record_retry(db_, m->id, o.r, now + backoff_with_jitter(m->attempts + 1));
      ++stats_.retried;
    }
    // One line per attempt (mox-queue(8), LOGGING): the queue ID, the
    // message's Message-ID, the recipient, the host and its reply.
    const char* result = o.kind == Kind::kDelivered ? "delivered"
                         : final_failure            ? "failed"
                                                    : "retry";
    log::Level level =
        o.kind == Kind::kDelivered || !final_failure ? log::Level::kInfo : log::Level::kError;
    log::write(level, "queue delivery attempt",
               {{"queueid", m->id},
                {"msgid", m->message_id},
                {"from", m->sender()},
                {"rcpt", m->recipient()},
                {"result", result},
                {"host", o.r.host},
                {"code", o.r.code},
                {"secode", o.r.secode},
                {"reply", o.r.error},
                {"attempt", m->attempts + 1},
                {"duration_ms", o.r.duration_ms}});
    log(env_, "message " + std::to_string(m->id) + " to " + m->recipient() + ": " + result +
                  (o.r.error.empty() ? "" : " (" + o.r.error + ")"));
    if (!st && st.error().kind != ErrorKind::kNotFound) return st;
  }
  return {};
}

// Delivers `msgs` over an open connection, one transaction per BaseID, and
// records each transaction's outcomes before the next one starts. Returns
// the messages to try at the next host: those of a transaction the
// connection was lost in before the server answered, and those after it;
// `last` becomes the outcome of the first of them that was tried.
std::vector<const Msg*> deliver_over(smtpclient::Client& c, const std::vector<const Msg*>& msgs,
                                     const RunEnv& env, int64_t start, Recorder& rec,
                                     Outcome& last) {
  std::map<int64_t, std::vector<const Msg*>> by_base;
  for (const auto* m : msgs) by_base[m->base_id].push_back(m);
  std::vector<const Msg*> retry;
  bool tried = false;
  for (const auto& [base, group] : by_base) {
    if (!c.usable() || rec.failed()) {
      retry.insert(retry.end(), group.begin(), group.end());
      continue;
    }
    int64_t t0 = now_ms();
    std::map<int64_t, Outcome> out;
    transact(c, group, env, start, out);
    std::vector<const Msg*> done;
    for (const auto* m : group) {
      // A connection lost mid-transaction: the next host may do better.
      const Outcome& o = out[m->id];
      bool lost = o.kind == Kind::kTemporary && !c.usable() && o.r.code == 0;
      if (lost && !tried) last = o;
      tried |= lost;
      (lost ? retry : done).push_back(m);
    }
    rec.record(done, out, t0);
  }
  return retry;
}

// Delivers the messages of one recipient domain: host after host until each
// message has a definite result or the hosts are used up.
void deliver_domain(const std::string& domain, const std::vector<const Msg*>& msgs,
                    const RunEnv& env, int64_t start, Recorder& rec) {
  int64_t t0 = now_ms();
  Route rt = route(*env.resolver, domain, start);
  if (rt.failure) {
    log(env, "domain " + domain + ": " + rt.failure->r.error);
    rec.record_all(msgs, *rt.failure, t0);
    return;
  }
  int port = static_cast<int>(
      env.config->static_config().queue.port ? env.config->static_config().queue.port : 25);
  auto opts = client_options(env);
  std::vector<const Msg*> pending = msgs;
  Outcome last = fail_outcome(Kind::kTemporary, start, "4.4.1", "no mail servers for " + domain);
  for (const auto& host : rt.hosts) {
    if (pending.empty() || rec.failed()) break;
    std::string why;
    auto ips = addresses(*env.resolver, host, why);
    if (ips.empty()) {
      last = fail_outcome(Kind::kTemporary, start, "4.4.3", why);
      continue;
    }
    auto c = smtpclient::Client::dial(host, ips, port, opts);
    if (!c) {
      last = from_failure(c.error(), start, host);
      // A permanent greeting/EHLO refusal of one host does not decide for
      // the others (§5.1): keep trying, report the last.
      last.kind = Kind::kTemporary;
      continue;
    }
    pending = deliver_over(*c, pending, env, start, rec, last);
    c->close();
  }
  rec.record_all(pending, last, t0);
}

// One connection's worth of work: messages to one domain.
struct WorkItem {
  std::string domain;
  std::vector<const Msg*> msgs;
};

// Splits each domain's messages, whole BaseID groups at a time, over up to
// `per_domain` connections.
std::vector<WorkItem> work_items(const std::map<std::string, std::vector<const Msg*>>& by_domain,
                                 int per_domain) {
  std::vector<WorkItem> items;
  for (const auto& [domain, group] : by_domain) {
    std::map<int64_t, std::vector<const Msg*>> by_base;
    for (const auto* m : group) by_base[m->base_id].push_back(m);
    size_t n = std::min<size_t>(std::max(per_domain, 1), by_base.size());
    size_t first = items.size();
    for (size_t i = 0; i < n; ++i) items.push_back({domain, {}});
    size_t i = 0;
    for (const auto& [base, msgs] : by_base) {
      auto& dst = items[first + (i++ % n)].msgs;
      dst.insert(dst.end(), msgs.begin(), msgs.end());
    }
  }
  return items;
}

// Runs the work items on up to env.parallel threads, each item on its own
// connection; every thread records its outcomes through `rec`.
void deliver_parallel(const std::vector<WorkItem>& items, const RunEnv& env, int64_t now,
                      Recorder& rec) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < items.size() && !rec.failed(); i = next++) {
      deliver_domain(items[i].domain, items[i].msgs, env, now, rec);
    }
  };
  size_t nthreads = std::min<size_t>(std::max(env.parallel, 1), items.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < nthreads; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace

std::string new_owner_id() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + random_token(6);
}

Result<std::optional<int64_t>> next_due(db::Db& db, int64_t now) {
  MOX_ASSIGN(
      auto q,
      db.prepare("SELECT min(max(NextAttempt, CASE WHEN LeaseUntil>? THEN LeaseUntil ELSE 0 END)) "
                 "FROM Msg WHERE Hold=0"));
  q.bind(1, now);
  MOX_ASSIGN(bool row, q.step());
  if (!row || q.col_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(q.col_int(0));
}

Result<RunStats> run_due(db::Db& db, const RunEnv& env) {
  if (env.cleanup) {
    MOX_TRY(purge_retired(db, env.now()));
    MOX_TRY(remove_orphan_files(db, env.config->data_dir(), env.now()));
  }
  Recorder rec(db, env);
  while (!rec.failed()) {
    int64_t now = env.now();
    MOX_ASSIGN(auto ids, lease(db, env, now));
    if (ids.empty()) break;
    Filter f;
    f.ids = ids;
    MOX_ASSIGN(auto msgs, list_messages(db, f, now));
    std::vector<const Msg*> disabled;
    std::map<std::string, std::vector<const Msg*>> by_domain;
    for (const auto& m : msgs) {
      const auto* d = env.config->domain(m.sender_domain);
      // mox-smtpd(8) "Submission": a temporary failure, with the normal
      // backoff.
      if (d && d->disabled)
        disabled.push_back(&m);
      else
        by_domain[m.recipient_domain].push_back(&m);
    }
    rec.record_all(
        disabled,
        fail_outcome(Kind::kTemporary, now, "4.3.0", "domain of sender temporarily disabled"),
        now_ms());
    deliver_parallel(work_items(by_domain, env.connections_per_domain), env, now, rec);
  }
  return rec.result();
}

}  // namespace mox::queue
