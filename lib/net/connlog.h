// The two log lines of every connection a server serves (log/log.h): "connection
// opened" with the addresses and the service, and at the end "connection
// closed" with its duration, the TLS version and cipher if TLS was used, and
// the account it logged in to, if any.
#pragma once

#include <chrono>
#include <string>

#include "net/conn.h"

namespace mox::net {

class ConnLog {
 public:
  ConnLog(const Conn& conn, std::string service);
  ~ConnLog();
  ConnLog(const ConnLog&) = delete;
  ConnLog& operator=(const ConnLog&) = delete;
  // The account the session logged in to, for the closing line.
  void set_account(std::string account) { account_ = std::move(account); }

 private:
  const Conn& conn_;
  std::string service_, account_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mox::net
