#include "verbs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

#include "admin/admin.h"
#include "cli/cli.h"
#include "common/testenv.h"
#include "config/cache.h"
#include "config/schema.h"
#include "log/log.h"
#include "net/activation.h"
#include "queue/admin.h"
#include "queue/msg.h"
#include "queue/queuedb.h"
#include "queue/runner.h"
#include "queue/suppress.h"
#include "util/clock.h"
#include "util/timefmt.h"
#include "util/unique_fd.h"

namespace moxqueue {
namespace {

constexpr const char* kProg = "mox-queue";

struct Ctx {
  mox::admin::ConfigPtr cfg;
  mox::db::Db db;
  mox::Clock now;
};

// Loads the config, drops to the configured user when root (files the
// servers write must stay theirs) and opens the queue database.
mox::Result<Ctx> open(const Args& a) {
  Ctx c;
  MOX_ASSIGN(c.cfg, mox::admin::load_and_recover(mox::config::default_config_path(a.config)));
  MOX_TRY(mox::log::set_level_from_config(c.cfg->static_config().log_level));
  const std::string& user = c.cfg->static_config().user;
  MOX_TRY(mox::net::drop_privileges(user.empty() ? "mox" : user));
  MOX_ASSIGN(c.db, mox::queue::open_queue_db(c.cfg->data_dir()));
  c.now = mox::system_clock(moxcmd::time_offset());
  return c;
}

mox::Result<int64_t> parse_id(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) {
    return mox::user_error("bad message id \"" + s + "\"");
  }
  return v;
}

mox::Result<std::optional<bool>> parse_bool(const std::string& s, const char* what) {
  if (s.empty()) return std::optional<bool>();
  if (s == "true" || s == "yes") return std::optional<bool>(true);
  if (s == "false" || s == "no") return std::optional<bool>(false);
  return mox::user_error(std::string("bad ") + what + " \"" + s + "\" (want true or false)");
}

mox::Result<mox::queue::Filter> filter(const Args& a) {
  mox::queue::Filter f;
  f.account = a.account;
  f.from = a.from;
  f.to = a.to;
  MOX_ASSIGN(f.hold, parse_bool(a.hold, "--hold"));
  if (!a.ids.empty()) {
    size_t start = 0;
    while (start <= a.ids.size()) {
      size_t comma = a.ids.find(',', start);
      if (comma == std::string::npos) comma = a.ids.size();
      MOX_ASSIGN(int64_t id, parse_id(a.ids.substr(start, comma - start)));
      f.ids.push_back(id);
      start = comma + 1;
    }
  }
  if (a.max < 0) return mox::user_error("-n must not be negative");
  f.max = a.max;
  if (!a.submitted.empty()) {
    MOX_ASSIGN(f.submitted, mox::queue::DurationFilter::parse(a.submitted));
  }
  if (!a.nextattempt.empty()) {
    MOX_ASSIGN(f.next_attempt, mox::queue::DurationFilter::parse(a.nextattempt));
  }
  if (!a.lastactivity.empty()) {
    MOX_ASSIGN(f.last_activity, mox::queue::DurationFilter::parse(a.lastactivity));
  }
  if (!a.result.empty()) f.success = a.result == "success";
  f.transport = a.transport;
  f.sort = a.sort;
  f.asc = a.asc || a.sort == "nextattempt";
  return f;
}

std::string when(int64_t t) { return t ? mox::rfc3339_utc(t) : "-"; }

void print_messages(const std::vector<mox::queue::Msg>& msgs, bool json, bool retired) {
  if (!json) {
    std::cout << "id\tqueued\tnext\tattempts\thold\taccount\tfrom\tto\tsize\tlast result\n";
  }
  for (const auto& m : msgs) {
    if (json) {
      std::cout << m.json() << "\n";
      continue;
    }
    std::string last = m.last_code ? std::to_string(m.last_code) + " " : "";
    last += m.last_error;
    std::cout << m.id << "\t" << when(m.queued) << "\t"
              << (retired ? (m.success ? "delivered" : "failed") : when(m.next_attempt)) << "\t"
              << m.attempts << "\t" << (m.hold ? "yes" : "no") << "\t" << m.sender_account << "\t"
              << "<" << m.sender() << ">\t<" << m.recipient() << ">\t" << m.size << "\t"
              << (last.empty() ? "-" : last) << "\n";
  }
}

mox::queue::RunEnv run_env(const Ctx& c, bool verbose, mox::dns::Resolver* resolver) {
  mox::queue::RunEnv env;
  env.config = c.cfg;
  env.resolver = resolver;
  env.now = c.now;
  env.owner = mox::queue::new_owner_id();
  // One write per line: deliveries run on several threads.
  if (verbose)
    env.log = [](const std::string& l) { std::cerr << (std::string(kProg) + ": " + l + "\n"); };
  return env;
}

int changed(mox::Result<int64_t> n, const char* what) {
  if (!n) return mox::fail(kProg, n.error());
  std::cout << *n << " message" << (*n == 1 ? "" : "s") << " " << what << "\n";
  return 0;
}

}  // namespace

int run(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto resolver = mox::queue::config_resolver(*c->cfg);
  if (!resolver) return mox::fail(kProg, resolver.error());
  auto stats = mox::queue::run_due(c->db, run_env(*c, a.verbose, resolver->get()));
  if (!stats) return mox::fail(kProg, stats.error());
  if (a.verbose || stats->attempted()) {
    std::cout << "delivered " << stats->delivered << ", failed " << stats->failed << ", to retry "
              << stats->retried << "\n";
  }
  return 0;
}

int serve(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto resolver = mox::queue::config_resolver(*c->cfg);
  if (!resolver) return mox::fail(kProg, resolver.error());
  // SIGTERM/SIGINT arrive on a signalfd that serve() polls with its other
  // fds: no window in which a signal is missed before a long sleep. Blocked
  // before any thread starts, so every thread has them blocked.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  mox::UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) return mox::fail(kProg, mox::internal_error("signalfd failed"));
  mox::net::ignore_sigpipe();
  mox::config::ConfigCache cache(c->cfg->static_path(), c->cfg);
  auto st = mox::queue::serve(cache, run_env(*c, true, resolver->get()), sigfd.get());
  if (!st) return mox::fail(kProg, st.error());
  return 0;
}

int list(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  auto msgs = mox::queue::list_messages(c->db, *f, c->now());
  if (!msgs) return mox::fail(kProg, msgs.error());
  print_messages(*msgs, a.json, false);
  return 0;
}

int hold(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  return changed(mox::queue::set_hold(c->db, *f, true, c->now()), "held");
}

int unhold(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  return changed(mox::queue::set_hold(c->db, *f, false, c->now()), "released");
}

int schedule(const Args& a) {
  std::string d = a.pos.at(0);
  bool negative = !d.empty() && d[0] == '-';
  auto dur = mox::config::parse_duration(negative ? d.substr(1) : d);
  if (!dur)
    return mox::fail(kProg, mox::user_error("bad duration \"" + d + "\" (e.g. 0, 30m, 2h)"));
  int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(*dur).count() * (negative ? -1 : 1);
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  int rc = changed(mox::queue::reschedule(c->db, *f, a.now, secs, c->now()), "rescheduled");
  // A running `serve` sleeps until the old next attempt: wake it.
  if (rc == 0) (void)mox::queue::wake_runners(c->cfg->data_dir());
  return rc;
}

int fail(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  return changed(mox::queue::fail_messages(c->db, *c->cfg, *f, c->now()), "failed");
}

int drop(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  return changed(mox::queue::drop_messages(c->db, *c->cfg, *f, c->now()), "dropped");
}

int dump(const Args& a) {
  auto id = parse_id(a.pos.at(0));
  if (!id) return mox::fail(kProg, id.error());
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto m = mox::queue::get_message(c->db, *id);
  if (!m) return mox::fail(kProg, m.error());
  auto path = mox::queue::message_path(c->cfg->data_dir(), *m);
  if (!path) return mox::fail(kProg, path.error());
  mox::UniqueFd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return mox::fail(kProg, mox::internal_error("opening " + *path));
  std::cout << m->msg_prefix << std::flush;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) std::cout.write(buf, n);
  std::cout.flush();
  return n < 0 ? mox::fail(kProg, mox::internal_error("reading " + *path)) : 0;
}

int retired_list(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto f = filter(a);
  if (!f) return mox::fail(kProg, f.error());
  f->asc = a.asc;
  auto msgs = mox::queue::list_retired(c->db, *f, c->now());
  if (!msgs) return mox::fail(kProg, msgs.error());
  print_messages(*msgs, a.json, true);
  return 0;
}

int retired_print(const Args& a) {
  auto id = parse_id(a.pos.at(0));
  if (!id) return mox::fail(kProg, id.error());
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto m = mox::queue::get_retired(c->db, *id);
  if (!m) return mox::fail(kProg, m.error());
  std::cout << m->json() << "\n";
  return 0;
}

int suppress_list(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto list = mox::queue::list_suppressions(c->db, a.account);
  if (!list) return mox::fail(kProg, list.error());
  if (!a.json) std::cout << "account\taddress\tcreated\tmanual\treason\n";
  for (const auto& s : *list) {
    if (a.json)
      std::cout << s.json() << "\n";
    else {
      std::cout << s.account << "\t" << s.base_address << "\t" << when(s.created) << "\t"
                << (s.manual ? "yes" : "no") << "\t" << (s.reason.empty() ? "-" : s.reason) << "\n";
    }
  }
  return 0;
}

int suppress_add(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  const std::string& account = a.pos.at(0);
  if (!c->cfg->account(account))
    return mox::fail(kProg, mox::user_error("no account \"" + account + "\""));
  auto added = mox::queue::add_suppression(c->db, account, a.pos.at(1), true,
                                           "added by administrator", c->now());
  if (!added) return mox::fail(kProg, added.error());
  if (!*added)
    return mox::fail(kProg, mox::user_error(a.pos.at(1) + " is already suppressed for " + account));
  return 0;
}

int suppress_rm(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto st = mox::queue::remove_suppression(c->db, a.pos.at(0), a.pos.at(1));
  return st ? 0 : mox::fail(kProg, st.error());
}

int suppress_lookup(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto s = mox::queue::lookup_suppression(c->db, a.account, a.pos.at(0));
  if (!s) return mox::fail(kProg, s.error());
  if (!*s) {
    std::cout << "not suppressed\n";
    return 1;
  }
  std::cout << "suppressed for account " << (*s)->account << " since " << when((*s)->created)
            << ((*s)->reason.empty() ? "" : ": " + (*s)->reason) << "\n";
  return 0;
}

int holdrules_list(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto rules = mox::queue::list_holdrules(c->db);
  if (!rules) return mox::fail(kProg, rules.error());
  if (!a.json) std::cout << "id\taccount\tsenderdom\trecipientdom\n";
  auto any = [](const std::string& s) { return s.empty() ? std::string("*") : s; };
  for (const auto& r : *rules) {
    if (a.json)
      std::cout << r.json() << "\n";
    else
      std::cout << r.id << "\t" << any(r.account) << "\t" << any(r.sender_domain) << "\t"
                << any(r.recipient_domain) << "\n";
  }
  return 0;
}

int holdrules_add(const Args& a) {
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  if (!a.account.empty() && !c->cfg->account(a.account)) {
    return mox::fail(kProg, mox::user_error("no account \"" + a.account + "\""));
  }
  mox::queue::HoldRule r;
  r.account = a.account;
  r.sender_domain = a.senderdom;
  r.recipient_domain = a.recipientdom;
  auto added = mox::queue::add_holdrule(c->db, r);
  if (!added) return mox::fail(kProg, added.error());
  std::cout << "hold rule " << added->id << " added, " << added->held << " queued message"
            << (added->held == 1 ? "" : "s") << " now held\n";
  return 0;
}

int holdrules_rm(const Args& a) {
  auto id = parse_id(a.pos.at(0));
  if (!id) return mox::fail(kProg, mox::user_error("bad hold rule id \"" + a.pos.at(0) + "\""));
  auto c = open(a);
  if (!c) return mox::fail(kProg, c.error());
  auto st = mox::queue::remove_holdrule(c->db, *id);
  return st ? 0 : mox::fail(kProg, st.error());
}

}  // namespace moxqueue
