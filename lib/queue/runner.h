// The long-running and one-shot runners of mox-queue: `run` delivers what is
// due and returns; `serve` keeps delivering, sleeping until the next message
// is due or new mail is queued (store/notify.h: inotify on
// data/queue/changes, written by queue::add_message; polled only when inotify
// is unavailable). Time is RunEnv::now's: the program passes the system
// clock (util/clock.h), tests their own.
#pragma once

#include <memory>

#include "config/cache.h"
#include "queue/deliver.h"
#include "util/result.h"

namespace mox::queue {

// A resolver as mox.conf's DNS section says.
Result<std::unique_ptr<dns::Resolver>> config_resolver(const config::Config& cfg);

// Delivers until `stop_fd` becomes readable (e.g. a signalfd for SIGTERM),
// re-reading domains.conf when it changes. `env.config` is replaced by the
// cache's current snapshot before each run.
Status serve(config::ConfigCache& cache, RunEnv env, int stop_fd);

}  // namespace mox::queue
