// A config snapshot for long-running servers, re-read when domains.conf
// changes (docs/DESIGN.md "Shared state between processes"), so mox-config's
// changes are seen without a restart.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "util/mutex.h"

namespace mox::config {

// The config snapshot, re-read when domains.conf changes (docs/DESIGN.md
// "Shared state between processes"), so a long-running Accept=no server sees
// mox-config's changes.
class ConfigCache {
 public:
  ConfigCache(std::string path, std::shared_ptr<const Config> c);
  // The current snapshot; thread-safe. On a reload error the old one stays.
  std::shared_ptr<const Config> get() EXCLUDES(mu_);

 private:
  int64_t mtime() const REQUIRES(mu_);
  mutable Mutex mu_;
  const std::string path_;
  std::shared_ptr<const Config> cfg_ GUARDED_BY(mu_);
  int64_t mtime_ GUARDED_BY(mu_);
};

}  // namespace mox::config
