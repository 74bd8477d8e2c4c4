// How a server gets its sockets: inetd (the connection on fd 0/1), systemd
// socket activation with Accept=no (LISTEN_FDS), or --listen for development;
// and dropping root privileges once the sockets are open (DESIGN "Programs",
// docs/DESIGN.md "Process model").
//
// All functions are meant for a program's start-up, before it starts
// threads: systemd_listen_fds() reads and changes the environment, which is
// not thread-safe (getenv/unsetenv).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/fd.h"
#include "util/result.h"

namespace mox::net {

// How the server was started.
//   kInetd:     one connection, already accepted, on fd 0 (and fd 1);
//               inetd, or systemd Accept=yes.
//   kListenFds: listening sockets passed by systemd (Accept=no).
//   kListen:    listening sockets opened by us (listen_tcp), for development.
enum class RunMode { kInetd, kListenFds, kListen };

// A listening socket passed by systemd, with its FileDescriptorName= (or
// "unknown" when LISTEN_FDNAMES is not set, as sd_listen_fds_with_names).
struct ListenFd {
  int fd = -1;
  std::string name;
};

// sd_listen_fds(3) semantics without libsystemd: if LISTEN_PID is not set,
// returns an empty list (not socket-activated). Otherwise LISTEN_PID must be
// our pid and LISTEN_FDS=n names fds 3 .. 3+n-1, which get FD_CLOEXEC;
// LISTEN_FDNAMES, if set, is a colon-separated list of n names. The three
// variables are unset in every case, so that child processes do not see
// them. The descriptors stay owned by the process (they live as long as it).
// Errors: LISTEN_PID not ours or malformed, LISTEN_FDS malformed, a name
// count that does not match, or a descriptor that is not open.
Result<std::vector<ListenFd>> systemd_listen_fds();

// Opens a listening TCP socket (SO_REUSEADDR, backlog 1024, close-on-exec)
// on "127.0.0.1:1025", "[::1]:1025" or ":1025" (all addresses, IPv6 and
// IPv4 when the host has IPv6). Only numeric addresses; port 0 picks a free
// port (see local_port() in net/addr.h). syntax_error for a malformed
// address, internal_error when the OS refuses (e.g. address in use).
Result<UniqueFd> listen_tcp(std::string_view addr_port);

// If running as root (effective uid 0): switches to `user` (supplementary
// groups cleared, then gid, then uid, as OpenSMTPD does) and verifies that
// root cannot be regained. If not root: only checks that `user` exists and
// does nothing. not_found if the user does not exist; user_error if `user`
// has uid 0.
Status drop_privileges(const std::string& user);

// Sets SIGPIPE to be ignored, so that writing to a connection the peer has
// closed gives EPIPE instead of killing the process (OpenSSL writes with
// write(2)). Servers call this at start-up.
void ignore_sigpipe();
// True for a socket in listening state (SO_ACCEPTCONN).
bool is_listening(int fd);
// When running as root: gives `path` to `user` (files made before the
// privilege drop that the unprivileged process must later write).
void give_to_user(const std::string& path, const std::string& user);

}  // namespace mox::net
