// Outgoing TCP connections with a connect timeout, for the SMTP client.
// Name resolution is the caller's job: this takes IP addresses.
#pragma once

#include <chrono>
#include <string>

#include "net/fd.h"
#include "util/result.h"

namespace mox::net {

// Connects to `ip` (IPv4 dotted quad or IPv6 text, without brackets) on
// `port`, waiting at most `timeout`. The descriptor is close-on-exec and
// blocking as a Conn expects it (Conn makes it non-blocking itself).
// Errors: kUser for an IP that does not parse or a port outside 1..65535,
// kTemporary for "timeout" and for refused/unreachable (a mail client
// retries those), kInternal for local failures.
Result<UniqueFd> dial_tcp(const std::string& ip, int port, std::chrono::milliseconds timeout);

}  // namespace mox::net
