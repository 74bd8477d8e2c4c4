// mox-config import maildir|mbox (mox-config(8) "import"): arguments,
// progress on a terminal, the summary.
#include "admin/import.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "admin/admin.h"
#include "cli/cli.h"
#include "util/json.h"
#include "verbs.h"

namespace moxconfig {
namespace {

constexpr const char* kProg = "mox-config";

// "\r12000/200000 messages, 3400 msg/s, 55 s left" at most 4 times a
// second, on stderr when it is a terminal.
class Progress {
 public:
  Progress() : tty_(::isatty(2) == 1), t0_(std::chrono::steady_clock::now()) {}
  void operator()(int64_t done, int64_t total) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - t0_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    if (total > 0 && rate > 0) {
      std::fprintf(stderr, "\r%lld/%lld messages, %.0f msg/s, %.0f s left  ",
                   static_cast<long long>(done), static_cast<long long>(total), rate,
                   static_cast<double>(total - done) / rate);
    } else {
      std::fprintf(stderr, "\r%lld messages, %.0f msg/s  ", static_cast<long long>(done), rate);
    }
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fputc('\n', stderr);
  }

 private:
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point t0_, last_;
};

int report(const Args& a, const mox::Result<mox::admin::ImportSummary>& r) {
  if (!r) return mox::fail(kProg, r.error());
  double rate = r->seconds > 0 ? static_cast<double>(r->messages) / r->seconds : 0;
  char secs[32], rate_s[32];
  std::snprintf(secs, sizeof secs, "%.3f", r->seconds);
  std::snprintf(rate_s, sizeof rate_s, "%.0f", rate);
  if (a.json) {
    std::cout << mox::JsonObject()
                     .add("messages", r->messages)
                     .add("mailboxes", static_cast<int64_t>(r->mailboxes.size()))
                     .add("mailboxNames", r->mailboxes)
                     .add("skipped", r->skipped)
                     .add_raw("seconds", secs)
                     .add_raw("rate", rate_s)
                     .add("droppedFlags", r->dropped_flags)
                     .str()
              << "\n";
  } else {
    std::cout << "imported " << r->messages << " messages into " << r->mailboxes.size()
              << " mailboxes in " << secs << " s (" << rate_s << " msg/s)";
    if (r->skipped > 0) std::cout << ", skipped " << r->skipped << " already there";
    std::cout << "\n";
  }
  return 0;
}

template <class F>
int run(const Args& a, F import) {
  auto c = mox::admin::load_and_recover(mox::config::default_config_path(a.config));
  if (!c) return mox::fail(kProg, c.error());
  mox::admin::ImportOptions o;
  o.recursive = a.recursive;
  Progress progress;
  o.progress = [&](int64_t done, int64_t total) { progress(done, total); };
  auto r = import(**c, a.pos.at(0), a.pos.at(1), a.pos.at(2), o);
  return report(a, r);
}

}  // namespace

int import_maildir(const Args& a) { return run(a, mox::admin::import_maildir); }

int import_mbox(const Args& a) { return run(a, mox::admin::import_mbox); }

}  // namespace moxconfig
