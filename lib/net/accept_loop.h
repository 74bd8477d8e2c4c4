// The accept loop for servers started with listening sockets (systemd
// Accept=no, or --listen): every connection runs in its own detached thread
// with blocking-style I/O through net::Conn. The session cores (SMTP, IMAP)
// do no I/O themselves, so this is only the driver.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "net/fd.h"
#include "util/result.h"

namespace mox::net {

// Called in a new thread for each accepted connection; owns `conn`.
// `listen_fd` tells which listener accepted it (e.g. 465 vs 587).
using ConnHandler = std::function<void(UniqueFd conn, int listen_fd)>;

struct AcceptLoopOptions {
  // At most this many connections run at once; further connections wait in
  // the listen backlog until one ends. Must be >= 1.
  int max_conns = 100;
  // After a stop, how long run() waits for running connections to end.
  std::chrono::milliseconds drain_timeout = std::chrono::seconds(10);
  // Stop on SIGTERM and SIGINT: run() installs handlers for the duration
  // of the loop (process-wide; only one loop may do this at a time) and
  // restores the previous ones when it returns.
  bool stop_on_signals = true;
  // Written to a connection that cannot be served (no descriptor or thread
  // for it), before it is closed: "421 4.3.2 ...\r\n" or "* BYE ...\r\n".
  // Each refusal is logged on stderr (rate limited) with `prog` first.
  std::string busy_reply;
  std::string prog = "mox";
};

class AcceptLoop {
 public:
  static Result<std::unique_ptr<AcceptLoop>> create(const AcceptLoopOptions& opts);
  AcceptLoop(const AcceptLoop&) = delete;
  AcceptLoop& operator=(const AcceptLoop&) = delete;
  ~AcceptLoop();

  // Accepts on all `listen_fds` (borrowed; made non-blocking) until stop()
  // or a signal, then stops accepting and waits up to drain_timeout for
  // running connections; connections still running after that keep running
  // in their threads (the handler object is kept alive for them, but what
  // it refers to must outlive them too). Call at most once. Errors: poll(2) failing, or
  // accept(2) failing other than for a passing shortage of descriptors or
  // memory. Out of descriptors, a descriptor kept in reserve is given up to
  // accept the waiting connection, answer it busy_reply and close it, so no
  // client waits without an answer; accepting then pauses for 100 ms.
  Status run(const std::vector<int>& listen_fds, ConnHandler handle);

  // Makes run() return (or return at once if it has not started). Safe to
  // call from any thread, more than once.
  void stop();

  // Connections running now.
  int active() const;

  struct Shared;  // implementation detail, shared with connection threads

 private:
  explicit AcceptLoop(std::shared_ptr<Shared> s, AcceptLoopOptions opts)
      : shared_(std::move(s)), opts_(opts) {}
  Status accept_one(int listen_fd, bool* backoff);
  // Accepts one waiting connection on the reserve descriptor and refuses it.
  void refuse_waiting(int listen_fd, const char* why);

  std::shared_ptr<Shared> shared_;
  AcceptLoopOptions opts_;
};

// AcceptLoop with signal handling and the default drain timeout.
Status serve_accept_loop(const std::vector<int>& listen_fds, ConnHandler handle,
                         AcceptLoopOptions opts);

}  // namespace mox::net
