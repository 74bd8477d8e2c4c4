#include "dns/unbound.h"

#include <fcntl.h>
#include <poll.h>
#include <unbound.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "util/mutex.h"

namespace mox::dns {
namespace {

struct CtxFree {
  void operator()(ub_ctx* c) const { ub_ctx_delete(c); }
};
struct ResultFree {
  void operator()(ub_result* r) const { ub_resolve_free(r); }
};
using CtxPtr = std::unique_ptr<ub_ctx, CtxFree>;
using ResultPtr = std::unique_ptr<ub_result, ResultFree>;

// RFC 1035 §4.1.1 / RFC 6895 §2.3 RCODEs.
constexpr int kServFail = 2;
constexpr int kNxDomain = 3;

// One lookup in flight. Heap-allocated and owned by the waiting query()
// until it gives up: a lookup given up after its timeout whose cancel came
// too late (the answer already queued) is freed by the callback when the
// processing thread delivers it. Fields are guarded by the resolver's mutex
// (callbacks run in ub_process, called with it held).
struct Pending {
  bool done = false;
  bool abandoned = false;
  int err = 0;
  ResultPtr result;
};

void on_result(void* data, int err, ub_result* result);

// The libunbound answer as a Response or an error kind (RFC 2308 for the
// negative answers; SERVFAIL and DNSSEC-bogus answers are temporary).
Result<Response> convert(std::string_view name, const ub_result& r) {
  std::string what(name);
  if (r.bogus) {
    return temporary_error(what +
                           ": DNSSEC validation failed: " + (r.why_bogus ? r.why_bogus : "bogus"));
  }
  Response resp;
  resp.authentic = r.secure != 0;
  if (r.rcode == kNxDomain) {
    resp.status = Response::Status::kNxDomain;
    return resp;
  }
  if (r.rcode == kServFail) return temporary_error(what + ": server failure (SERVFAIL)");
  if (r.rcode != 0) {
    return Error{ErrorKind::kPermanent,
                 what + ": DNS error (rcode " + std::to_string(r.rcode) + ")"};
  }
  if (!r.havedata) {
    resp.status = Response::Status::kNoData;
    return resp;
  }
  for (int i = 0; r.data[i] != nullptr; ++i) {
    resp.rdata.emplace_back(r.data[i], static_cast<size_t>(r.len[i]));
  }
  return resp;
}

// Lookups from many threads run at the same time (RFC 7208 and RFC 7489
// checks of concurrent SMTP sessions must not wait for each other's slow
// names): each query() starts an asynchronous libunbound lookup and waits
// for its callback; one thread of the resolver waits on ub_fd() and
// delivers the answers with ub_process(). libunbound shares its cache
// between all lookups of the context.
class UnboundResolver : public Resolver {
 public:
  UnboundResolver(CtxPtr ctx, std::chrono::milliseconds timeout)
      : ctx_(std::move(ctx)), timeout_(timeout) {}
  ~UnboundResolver() override {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    for (int fd : wake_) {
      if (fd >= 0) ::close(fd);
    }
  }

  Status start() {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) return os_error("pipe", errno);
    thread_ = std::thread([this] { process_loop(); });
    return {};
  }

  Result<Response> query(std::string_view name, Type type) override EXCLUDES(mu_) {
    MOX_ASSIGN(std::string n, normalize_name(name));
    MutexLock lock(mu_);
    auto p = std::make_unique<Pending>();
    int id = 0;
    std::string q = n + ".";
    int rc =
        ub_resolve_async(ctx_.get(), q.c_str(), static_cast<int>(type), 1, p.get(), on_result, &id);
    if (rc != 0) return temporary_error(q + ": " + ub_strerror(rc));
    auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (!p->done && answered_.wait_until(mu_, deadline)) {
    }
    if (!p->done) {
      if (ub_cancel(ctx_.get(), id) != 0) p.release()->abandoned = true;  // the callback frees it
      return temporary_error(n + ": DNS lookup timed out");
    }
    if (p->err != 0 || !p->result) {
      return temporary_error(n + ": " + ub_strerror(p->err));
    }
    return convert(n, *p->result);
  }

 private:
  void process_loop() EXCLUDES(mu_) {
    pollfd pfd[2] = {{ub_fd(ctx_.get()), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    while (true) {
      int pr = ::poll(pfd, 2, -1);
      if (pr < 0 && errno != EINTR) return;
      MutexLock lock(mu_);
      if (stopping_) return;
      if (pr > 0 && (pfd[0].revents & POLLIN) != 0) {
        ub_process(ctx_.get());
        answered_.notify_all();
      }
    }
  }

  CtxPtr ctx_;
  std::chrono::milliseconds timeout_;
  // Held by query() while it waits (the waits release it) and by the thread
  // around ub_process(): libunbound's context and every Pending are used
  // under it.
  Mutex mu_;
  CondVar answered_;
  bool stopping_ GUARDED_BY(mu_) = false;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

void on_result(void* data, int err, ub_result* result) {
  auto* p = static_cast<Pending*>(data);
  if (p->abandoned) {
    ub_resolve_free(result);
    delete p;
    return;
  }
  p->done = true;
  p->err = err;
  p->result.reset(result);
}

Status check(int rc, const std::string& what) {
  if (rc == 0) return {};
  return user_error(what + ": " + ub_strerror(rc));
}

}  // namespace

Result<std::unique_ptr<Resolver>> make_unbound_resolver(const UnboundOptions& o) {
  CtxPtr ctx(ub_ctx_create());
  if (!ctx) return internal_error("libunbound: cannot create a context");
  // Work in threads, not forked processes: one process, sanitizer-friendly.
  MOX_TRY(check(ub_ctx_async(ctx.get(), 1), "libunbound async"));
  if (!o.resolv_conf.empty()) {
    MOX_TRY(check(ub_ctx_resolvconf(ctx.get(), o.resolv_conf.c_str()), o.resolv_conf));
  }
  for (const std::string& f : o.forwarders) {
    MOX_TRY(check(ub_ctx_set_fwd(ctx.get(), f.c_str()), "forwarder " + f));
  }
  if (!o.hosts.empty()) {
    MOX_TRY(check(ub_ctx_hosts(ctx.get(), o.hosts.c_str()), o.hosts));
  }
  if (!o.trust_anchor.empty() && ::access(o.trust_anchor.c_str(), R_OK) == 0) {
    MOX_TRY(check(ub_ctx_add_ta_file(ctx.get(), o.trust_anchor.c_str()), o.trust_anchor));
  }
  auto r = std::make_unique<UnboundResolver>(std::move(ctx), o.timeout);
  MOX_TRY(r->start());
  return std::unique_ptr<Resolver>(std::move(r));
}

}  // namespace mox::dns
