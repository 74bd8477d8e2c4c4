// Addresses of a connected or listening socket, as text for logs, login
// attempts (docs/DESIGN.md "Login attempts" RemoteIP/LocalIP) and Received:
// headers.
//
// IPv4 addresses print as dotted quads, also when they arrive on an IPv6
// socket as IPv4-mapped addresses (::ffff:a.b.c.d, RFC 4291 §2.5.5.2);
// IPv6 in RFC 5952 form. For anything that is not an IP socket (a unix
// socket, a pipe, a terminal: inetd-style tests) the IP is "" and the port
// 0. Thread-safe.
#pragma once

#include <string>

namespace mox::net {

std::string remote_ip(int fd);
std::string local_ip(int fd);
int remote_port(int fd);
int local_port(int fd);

}  // namespace mox::net
