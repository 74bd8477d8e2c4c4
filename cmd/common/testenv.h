// The test hooks of the programs (docs/DESIGN.md "Testing"): the environment
// variables that tests set are read here and nowhere else; lib/ takes the
// values through its constructors and options. Every program's main calls
// install_crashpoint() first, then passes what it needs of the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "daemon/server.h"

namespace moxcmd {

// MOX_CRASHPOINT=NAME: the process kills itself with SIGKILL when it reaches
// the crash point NAME (util/fs.h kill_at); unset or empty: no crash hook.
void install_crashpoint();

// MOX_TEST_TIME_OFFSET: seconds added to the queue's clock (util/clock.h); 0
// when unset.
int64_t time_offset();

// MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED, when a positive number: the failed
// login-attempt rows kept per account (auth/authdb.h); else nullopt.
std::optional<int64_t> max_failed_login_attempts();

// A server's test hooks: MOX_TEST_AUTH_DELAY_MS (the failed-auth slow-down
// step in milliseconds) and max_failed_login_attempts(), where set.
void server_test_hooks(mox::daemon::ServerOptions& o);

// MOX_TEST_AUTOLOGOUT_MS: mox-imapd's autologout timer after login in
// milliseconds, when set (imapserver/server.h); else nullopt.
std::optional<std::chrono::milliseconds> imap_autologout();

}  // namespace moxcmd
