#include "log/ratelog.h"

#include <vector>

namespace mox {

void RateLog::error(std::string_view msg, log::Fields fields) {
  int64_t suppressed;
  {
    MutexLock lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (logged_ && now - last_ < interval_) {
      ++suppressed_;
      return;
    }
    suppressed = suppressed_;
    logged_ = true;
    last_ = now;
    suppressed_ = 0;
  }
  std::vector<log::Field> all(fields);
  if (suppressed > 0) all.emplace_back("suppressed", suppressed);
  log::write(log::Level::kError, msg, all);
}

}  // namespace mox
