#include "export.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "admin/admin.h"
#include "admin/export.h"
#include "util/json.h"

namespace moxconfig {
namespace {

constexpr const char* kProg = "mox-config";

// "exported N of T messages" on stderr, at most 5 times a second, when
// stderr is a terminal.
class Progress {
 public:
  Progress() : on_(::isatty(2) == 1) {}
  ~Progress() {
    if (shown_) std::fputs("\n", stderr);
  }
  void operator()(int64_t done, int64_t total) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\rexported %lld of %lld messages", static_cast<long long>(done),
                 static_cast<long long>(total));
  }

 private:
  bool on_, shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

void print_summary(const mox::admin::ExportSummary& s, double secs, bool json) {
  double rate = secs > 0 ? static_cast<double>(s.messages) / secs : 0;
  if (json) {
    std::cout << mox::JsonObject()
                     .add("messages", s.messages)
                     .add("mailboxes", s.mailboxes)
                     .add("bytes", s.bytes)
                     .add("expunged", s.expunged)
                     .add("milliseconds", static_cast<int64_t>(secs * 1000))
                     .add("warnings", s.warnings)
                     .str()
              << "\n";
    return;
  }
  for (const auto& w : s.warnings) std::cerr << kProg << ": " << w << "\n";
  char line[200];
  std::snprintf(
      line, sizeof line, "exported %lld messages from %lld mailboxes in %.1f s (%.0f msg/s)",
      static_cast<long long>(s.messages), static_cast<long long>(s.mailboxes), secs, rate);
  std::cout << line;
  if (s.expunged > 0) std::cout << "; " << s.expunged << " expunged meanwhile, left out";
  std::cout << "\n";
}

int export_verb(const Args& a, mox::admin::ExportFormat format) {
  auto c = mox::admin::load_and_recover(mox::config::default_config_path(a.config));
  if (!c) return mox::fail(kProg, c.error());
  mox::admin::ExportRequest r;
  r.format = format;
  r.account = a.pos.at(0);
  r.dir = a.pos.at(1);
  r.mailboxes.assign(a.pos.begin() + 2, a.pos.end());
  auto start = std::chrono::steady_clock::now();
  mox::admin::ExportSummary s;
  {
    Progress progress;
    r.progress = std::ref(progress);
    auto res = mox::admin::export_account(**c, r);
    if (!res) return mox::fail(kProg, res.error());
    s = std::move(*res);
  }
  std::chrono::duration<double> secs = std::chrono::steady_clock::now() - start;
  print_summary(s, secs.count(), a.json);
  return 0;
}

}  // namespace

void add_export_verbs(CLI::App& app, Args& a, mox::Handler<Args>& chosen) {
  auto* ex = app.add_subcommand("export", "Write an account's mailboxes as Maildirs or mbox files");
  ex->require_subcommand(1);
  struct Verb {
    const char* name;
    const char* desc;
    mox::admin::ExportFormat format;
  };
  for (const Verb& v :
       {Verb{"maildir", "Export to DIR/MAILBOX/{cur,new,tmp}", mox::admin::ExportFormat::kMaildir},
        Verb{"mbox", "Export to DIR/MAILBOX.mbox (mboxrd)", mox::admin::ExportFormat::kMbox}}) {
    auto format = v.format;
    auto* sub = mox::add_verb(
        *ex, v.name, v.desc, {"ACCOUNT", "DIR"}, a,
        [format](const Args& x) { return export_verb(x, format); }, chosen);
    sub->add_option_function<std::vector<std::string>>(
        "MAILBOX",
        [&a](const std::vector<std::string>& m) { a.pos.insert(a.pos.end(), m.begin(), m.end()); },
        "Mailboxes to export (default: all)");
    sub->add_flag("--json", a.json, "The summary as JSON");
  }
}

}  // namespace moxconfig
