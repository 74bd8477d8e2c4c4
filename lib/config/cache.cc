#include "config/cache.h"

#include <sys/stat.h>

#include <iostream>

#include "log/log.h"

namespace mox::config {

ConfigCache::ConfigCache(std::string path, std::shared_ptr<const Config> c)
    : path_(std::move(path)), cfg_(std::move(c)), mtime_(mtime()) {}

std::shared_ptr<const Config> ConfigCache::get() {
  MutexLock lock(mu_);
  int64_t m = mtime();
  if (m != mtime_) {
    auto c = Config::load(path_);
    if (c) {
      cfg_ = *c;
      mtime_ = m;
    } else {
      log::error("reloading config failed, keeping the old", {{"cause", c.error().message}});
    }
  }
  return cfg_;
}

int64_t ConfigCache::mtime() const {
  struct stat st;
  if (::stat(cfg_->dynamic_path().c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace mox::config
