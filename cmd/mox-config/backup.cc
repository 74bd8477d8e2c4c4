// mox-config backup and verifydata (mox-config(8) "BACKUP AND RESTORE",
// "VERIFYDATA").
#include "admin/backup.h"

#include <cstdio>
#include <iostream>

#include "admin/admin.h"
#include "admin/verifydata.h"
#include "cli/cli.h"
#include "util/json.h"
#include "verbs.h"

namespace moxconfig {
namespace {

constexpr const char* kProg = "mox-config";

mox::Result<mox::admin::ConfigPtr> load(const Args& a) {
  return mox::admin::load_and_recover(mox::config::default_config_path(a.config));
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

void print_backup(const mox::admin::BackupResult& r, const std::string& dest, bool json) {
  const auto& s = r.stats;
  if (json) {
    std::cout << mox::JsonObject()
                     .add("dest", dest)
                     .add("databases", s.databases)
                     .add("accounts", r.accounts)
                     .add("messages", r.messages)
                     .add("filesLinked", s.files_linked)
                     .add("filesCopied", s.files_copied)
                     .add("bytes", s.bytes)
                     .add_raw("seconds", seconds(r.seconds))
                     .add("warnings", r.warnings)
                     .str()
              << "\n";
    return;
  }
  for (const auto& w : r.warnings) std::cerr << kProg << ": warning: " << w << "\n";
  std::cout << "backup in " << dest << ": " << s.databases << " databases, " << s.files_linked
            << " files linked, " << s.files_copied << " files copied, " << s.bytes << " bytes, "
            << seconds(r.seconds) << " seconds\n";
}

void print_finding(const mox::admin::Finding& f, bool json) {
  if (!json) {
    std::cout << f.line() << "\n";
    return;
  }
  mox::JsonObject o;
  o.add("scope", f.scope);
  if (!f.account.empty()) o.add("account", f.account);
  o.add("kind", f.kind).add("subject", f.subject).add("text", f.text);
  if (f.message_id != 0) o.add("message", f.message_id);
  std::cout << o.add("fixed", f.fixed).str() << "\n";
}

}  // namespace

int backup(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  auto r = mox::admin::backup(**c, a.pos.at(0));
  if (!r) return mox::fail(kProg, r.error());
  print_backup(*r, a.pos[0], a.json);
  return 0;
}

int verifydata(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  auto r = mox::admin::verify_data(**c, a.fix);
  if (!r) return mox::fail(kProg, r.error());
  size_t fixed = 0;
  for (const auto& f : r->findings) {
    print_finding(f, a.json);
    fixed += f.fixed ? 1 : 0;
  }
  size_t left = r->findings.size() - fixed;
  if (!a.json) {
    if (r->findings.empty()) {
      std::cout << "data OK: " << r->databases << " databases, " << r->accounts << " accounts";
    } else {
      std::cout << r->findings.size() << " problems, " << fixed << " fixed";
    }
    if (r->empty_removed > 0) {
      std::cout << "; removed " << r->empty_removed << " empty files without a message";
    }
    std::cout << "\n";
  }
  if (left == 0) return 0;
  std::cerr << kProg << ": verifydata: " << left << " problems"
            << (a.fix ? " left that --fix cannot repair" : " found") << "\n";
  return mox::kExitUserError;
}

}  // namespace moxconfig
