#include "net/connlog.h"

#include "log/log.h"

namespace mox::net {

ConnLog::ConnLog(const Conn& conn, std::string service)
    : conn_(conn), service_(std::move(service)), start_(std::chrono::steady_clock::now()) {
  log::info("connection opened",
            {{"service", service_}, {"remote", conn_.remote_ip()}, {"local", conn_.local_ip()}});
}

ConnLog::~ConnLog() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start_);
  log::info("connection closed",
            {{"service", service_},
             {"remote", conn_.remote_ip()},
             {"tls", conn_.tls() ? conn_.tls_description() : std::string("none")},
             {"account", account_},
             {"duration_ms", static_cast<int64_t>(ms.count())}});
}

}  // namespace mox::net
