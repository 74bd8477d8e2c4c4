#include "net/accept_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "log/ratelog.h"
#include "util/mutex.h"

namespace mox::net {

// State shared by the loop and its connection threads; the last of them
// frees it, so threads that outlive run() stay valid.
struct AcceptLoop::Shared {
  mutable Mutex mu;
  CondVar cv;  // signalled when `active` drops
  int active GUARDED_BY(mu) = 0;
  ConnHandler handle;
  std::atomic<bool> stop{false};
  // Self-pipe: written by stop(), by the signal handler and by ending
  // connections (a free slot); the loop polls the read end.
  UniqueFd wake_rd, wake_wr;
  // /dev/null, held so that one connection can still be accepted and
  // answered when the process is out of descriptors.
  UniqueFd reserve;
  RateLog refusals;

  void wake() const {
    char c = 0;
    (void)!::write(wake_wr.get(), &c, 1);  // full pipe: already woken
  }
};

namespace {

// The write end of the pipe of the loop that handles signals, for the
// async-signal-safe handler (the one unavoidable global of this module).
std::atomic<int> g_signal_wake_fd{-1};
std::atomic<bool> g_signalled{false};

void on_stop_signal(int) {
  int saved = errno;
  g_signalled.store(true);
  int fd = g_signal_wake_fd.load();
  char c = 0;
  if (fd >= 0) (void)!::write(fd, &c, 1);
  errno = saved;
}

// Installs the SIGTERM/SIGINT handlers for its lifetime.
class SignalScope {
 public:
  SignalScope(bool enable, int wake_fd) : enabled_(enable) {
    if (!enabled_) return;
    g_signalled.store(false);
    g_signal_wake_fd.store(wake_fd);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, &old_term_);
    ::sigaction(SIGINT, &sa, &old_int_);
  }
  ~SignalScope() {
    if (!enabled_) return;
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    g_signal_wake_fd.store(-1);
  }
  bool signalled() const { return enabled_ && g_signalled.load(); }

 private:
  bool enabled_;
  struct sigaction old_term_ {
  }, old_int_{};
};

struct ConnThreadArg {
  std::shared_ptr<AcceptLoop::Shared> shared;
  UniqueFd conn;
  int listen_fd;
};

void open_reserve(UniqueFd& fd) {
  if (!fd.valid()) fd.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

// Best effort: the client may be gone, and nothing must block the loop.
void write_reply(int fd, const std::string& reply) {
  if (reply.empty()) return;
  (void)!::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void drain(int fd) {
  char buf[256];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

Status set_nonblock(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    return internal_error("listener " + std::to_string(fd) + ": " + std::strerror(errno));
  }
  return {};
}

// Runs in a detached thread: the handler, then frees the slot.
void* conn_thread(void* p) {
  std::unique_ptr<ConnThreadArg> arg(static_cast<ConnThreadArg*>(p));
  arg->shared->handle(std::move(arg->conn), arg->listen_fd);
  {
    MutexLock lock(arg->shared->mu);
    arg->shared->active--;
  }
  arg->shared->cv.notify_all();
  arg->shared->wake();
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<AcceptLoop>> AcceptLoop::create(const AcceptLoopOptions& opts) {
  if (opts.max_conns < 1) return user_error("max_conns must be at least 1");
  auto s = std::make_shared<Shared>();
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
    return internal_error(std::string("pipe: ") + std::strerror(errno));
  }
  s->wake_rd.reset(p[0]);
  s->wake_wr.reset(p[1]);
  open_reserve(s->reserve);
  return std::unique_ptr<AcceptLoop>(new AcceptLoop(std::move(s), opts));
}

AcceptLoop::~AcceptLoop() = default;

void AcceptLoop::stop() {
  shared_->stop.store(true);
  shared_->wake();
}

int AcceptLoop::active() const {
  MutexLock lock(shared_->mu);
  return shared_->active;
}

Status AcceptLoop::accept_one(int listen_fd, bool* backoff) {
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) {
    switch (errno) {
      case EAGAIN:
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
        return {};
      case EMFILE:
      case ENFILE:
        refuse_waiting(listen_fd, std::strerror(errno));
        *backoff = true;
        return {};
      case ENOBUFS:
      case ENOMEM:
        shared_->refusals.error("accept failed, pausing", {{"cause", std::strerror(errno)}});
        *backoff = true;
        return {};
      default:
        return internal_error(std::string("accept: ") + std::strerror(errno));
    }
  }
  auto* arg = new ConnThreadArg{shared_, UniqueFd(fd), listen_fd};
  {
    MutexLock lock(shared_->mu);
    shared_->active++;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t tid;
  int rc = ::pthread_create(&tid, &attr, conn_thread, arg);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    write_reply(fd, opts_.busy_reply);
    shared_->refusals.error(
        "connection refused",
        {{"cause", std::string("cannot start a thread: ") + std::strerror(rc)}});
    delete arg;  // closes the connection: out of threads, like out of fds
    MutexLock lock(shared_->mu);
    shared_->active--;
    *backoff = true;
  }
  return {};
}

void AcceptLoop::refuse_waiting(int listen_fd, const char* why) {
  if (shared_->reserve.valid()) {
    shared_->reserve.reset();
    UniqueFd fd(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
    if (fd.valid()) write_reply(fd.get(), opts_.busy_reply);
    fd.reset();
    open_reserve(shared_->reserve);
  }
  shared_->refusals.error(
      "connection refused",
      {{"cause", why}, {"open", active()}, {"hint", "raise the descriptor limit (LimitNOFILE=)"}});
}

Status AcceptLoop::run(const std::vector<int>& listen_fds, ConnHandler handle) {
  for (int fd : listen_fds) MOX_TRY(set_nonblock(fd));
  shared_->handle = std::move(handle);
  SignalScope signals(opts_.stop_on_signals, shared_->wake_wr.get());
  bool backoff = false;
  Status st;
  while (st.ok() && !shared_->stop.load() && !signals.signalled()) {
    std::vector<pollfd> pfds{{shared_->wake_rd.get(), POLLIN, 0}};
    bool room;
    {
      MutexLock lock(shared_->mu);
      room = shared_->active < opts_.max_conns;
    }
    if (room && !backoff) {
      for (int fd : listen_fds) pfds.push_back({fd, POLLIN, 0});
    }
    int timeout_ms = backoff ? 100 : -1;
    backoff = false;
    int n = ::poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      st = internal_error(std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (pfds[0].revents != 0) drain(pfds[0].fd);
    for (size_t i = 1; i < pfds.size() && st.ok(); i++) {
      if (pfds[i].revents != 0) st = accept_one(pfds[i].fd, &backoff);
    }
  }
  MutexLock lock(shared_->mu);
  auto deadline = std::chrono::steady_clock::now() + opts_.drain_timeout;
  while (shared_->active != 0 && shared_->cv.wait_until(shared_->mu, deadline)) {
  }
  return st;
}

Status serve_accept_loop(const std::vector<int>& listen_fds, ConnHandler handle,
                         AcceptLoopOptions opts) {
  MOX_ASSIGN(auto loop, AcceptLoop::create(opts));
  return loop->run(listen_fds, std::move(handle));
}

}  // namespace mox::net
