#include "queue/runner.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "config/resolver.h"
#include "queue/queuedb.h"
#include "store/notify.h"

namespace mox::queue {
namespace {

// Wake up at least this often to re-read the config and purge retired
// messages, even when nothing is due.
constexpr int64_t kMaxSleepSeconds = 300;

}  // namespace

Result<std::unique_ptr<dns::Resolver>> config_resolver(const config::Config& cfg) {
  return config::make_resolver(cfg);
}

Status serve(config::ConfigCache& cache, RunEnv env, int stop_fd) {
  std::string qdir = env.config->data_dir() + "/queue";
  // Watch before the first run, so that mail queued during it wakes us.
  store::ChangeNotifier::Options no;
  no.log = env.log;
  store::ChangeNotifier notifier(std::move(no));
  MOX_ASSIGN(auto watcher, notifier.watch(qdir));
  int64_t last_cleanup = 0;
  auto stopped = [stop_fd] {
    pollfd p{stop_fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  };
  while (!stopped()) {
    env.config = cache.get();
    env.cleanup = env.now() - last_cleanup >= kMaxSleepSeconds;
    if (env.cleanup) last_cleanup = env.now();
    MOX_ASSIGN(auto db, open_queue_db(env.config->data_dir()));
    auto stats = run_due(db, env);
    if (!stats) {
      if (env.log) env.log("delivery run: " + stats.error().message);
    } else if (stats->attempted() && env.log) {
      env.log("delivered " + std::to_string(stats->delivered) + ", failed " +
              std::to_string(stats->failed) + ", to retry " + std::to_string(stats->retried));
    }
    int64_t now = env.now();
    MOX_ASSIGN(auto due, next_due(db, now));
    int64_t sleep = kMaxSleepSeconds;
    if (due) sleep = std::clamp<int64_t>(*due - now, 0, kMaxSleepSeconds);
    if (sleep == 0 && !stats) sleep = 5;  // database trouble: do not spin
    if (sleep == 0) continue;
    // Sleep until new mail (the watcher), the stop signal, or the next due time.
    pollfd p[2] = {{watcher.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(sleep * 1000)) < 0 && errno != EINTR) {
      return internal_error(std::string("poll: ") + std::strerror(errno));
    }
    auto ev = watcher.drain();
    if (!ev) return ev.error();
  }
  return {};
}

}  // namespace mox::queue
