#include "util/ratelog.h"

#include <iostream>

namespace mox {

void RateLog::log(const std::string& line) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (logged_ && now - last_ < interval_) {
    ++suppressed_;
    return;
  }
  std::string more = suppressed_ > 0 ? " (" + std::to_string(suppressed_) + " more since last logged)" : "";
  std::cerr << line << more << "\n";
  logged_ = true;
  last_ = now;
  suppressed_ = 0;
}

}  // namespace mox
