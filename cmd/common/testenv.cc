#include "common/testenv.h"

#include <chrono>
#include <cstdlib>

#include "util/fs.h"

namespace moxcmd {

void install_crashpoint() {
  if (const char* e = std::getenv("MOX_CRASHPOINT"); e != nullptr && *e != '\0') {
    mox::set_crash_hook(mox::kill_at(e));
  }
}

int64_t time_offset() {
  const char* s = std::getenv("MOX_TEST_TIME_OFFSET");
  return s != nullptr ? std::strtoll(s, nullptr, 10) : 0;
}

std::optional<int64_t> max_failed_login_attempts() {
  if (const char* v = std::getenv("MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED")) {
    long long n = std::atoll(v);
    if (n > 0) return n;
  }
  return std::nullopt;
}

void server_test_hooks(mox::daemon::ServerOptions& o) {
  if (const char* d = std::getenv("MOX_TEST_AUTH_DELAY_MS")) {
    o.auth_delay_unit = std::chrono::milliseconds(std::atoi(d));
  }
  if (auto n = max_failed_login_attempts()) o.max_failed_login_attempts = *n;
}

std::optional<std::chrono::milliseconds> imap_autologout() {
  if (const char* v = std::getenv("MOX_TEST_AUTOLOGOUT_MS")) {
    long long n = std::atoll(v);
    if (n > 0) return std::chrono::milliseconds(n);
  }
  return std::nullopt;
}

}  // namespace moxcmd
