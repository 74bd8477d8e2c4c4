#include "admin/verifydata.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "auth/authdb.h"
#include "queue/queuedb.h"
#include "queue/verify.h"
#include "store/account.h"
#include "store/check.h"
#include "store/msgpath.h"
#include "util/fs.h"

namespace mox::admin {
namespace {
namespace fs = std::filesystem;

// Adds findings of one scope (an account, the queue, a database).
class Findings {
 public:
  Findings(VerifyResult& out, std::string scope, std::string account)
      : out_(out), scope_(std::move(scope)), account_(std::move(account)) {}

  void add(std::string kind, std::string subject, std::string text, int64_t id = 0,
           bool fixed = false) {
    out_.findings.push_back(
        Finding{scope_, account_, std::move(kind), std::move(subject), std::move(text), id, fixed});
  }
  void message(std::string kind, int64_t id, std::string text, bool fixed = false) {
    add(std::move(kind), "message " + std::to_string(id), std::move(text), id, fixed);
  }
  // A Result's error as a finding: the check of this scope could not run.
  void failed(const Error& e) { add("check-failed", "check", e.message); }

 private:
  VerifyResult& out_;
  std::string scope_, account_;
};

// A path below `dir`, as the finding names it ("msg/a/12").
std::string rel(const std::string& path, const std::string& dir) {
  return fs::path(path).lexically_relative(dir).string();
}

void integrity(db::Db& db, const std::string& name, Findings& f, VerifyResult& out) {
  ++out.databases;
  auto lines = db::integrity_check(db);
  if (!lines) return f.failed(lines.error());
  for (const auto& l : *lines) f.add("integrity", name, l);
}

// The findings check_account and check_queue_files share.
void file_findings(const store::CheckReport& r, const std::string& dir, bool fix, Findings& f,
                   VerifyResult& out) {
  for (int64_t id : r.missing_files) f.message("file-missing", id, "file missing");
  for (const auto& m : r.size_mismatches) {
    f.message("file-size", m.id,
              "file has " + std::to_string(m.file_size) + " bytes, its row says " +
                  std::to_string(m.row_size));
  }
  for (int64_t id : r.orphan_files) {
    if (std::binary_search(r.empty_orphan_files.begin(), r.empty_orphan_files.end(), id)) {
      if (fix) ++out.empty_removed;
      continue;
    }
    f.add("orphan-file", "file msg/" + store::message_rel_path(id), "no message row (orphan)", id,
          fix);
  }
  for (const auto& p : r.stale_temp_files) {
    f.add("stale-temp-file", "file " + rel(p, dir), "stale temp file", 0, fix);
  }
  for (const auto& p : r.unexpected_files) {
    f.add("unexpected-file", "file " + rel(p, dir), "names no message");
  }
}

void verify_account(const config::Config& c, const std::string& name, bool fix, VerifyResult& out) {
  Findings f(out, "account " + name, name);
  std::string dir = c.account_dir(name);
  if (!path_exists(dir + "/index.db")) return;  // never used
  ++out.accounts;
  auto st = store::AccountStore::open(dir, false);
  if (!st) return f.failed(st.error());
  integrity(st->db(), "index.db", f, out);
  auto r = store::check_account(*st, store::CheckOptions{fix, fix});
  if (!r) return f.failed(r.error());
  file_findings(*r, dir, fix, f, out);
  for (int64_t id : r->vanished_live) {
    f.message("expunged-uid-live", id, "UID also recorded as expunged (store/vanished.h)");
  }
  for (const auto& p : r->problems) f.add(p.kind, p.subject, p.text, p.message_id, p.fixed);
}

void verify_queue(const config::Config& c, bool fix, VerifyResult& out) {
  Findings f(out, "queue", "");
  if (!path_exists(c.data_dir() + "/queue/index.db")) return;
  auto db = queue::open_queue_db(c.data_dir());
  if (!db) return f.failed(db.error());
  integrity(*db, "queue/index.db", f, out);
  auto r = queue::check_queue_files(*db, c.data_dir(), fix);
  if (!r) return f.failed(r.error());
  file_findings(*r, c.data_dir() + "/queue", fix, f, out);
}

void verify_auth(const config::Config& c, VerifyResult& out) {
  Findings f(out, "auth.db", "");
  if (!path_exists(c.data_dir() + "/auth.db")) return;
  auto db = auth::open_auth_db(c.data_dir());
  if (!db) return f.failed(db.error());
  integrity(*db, "auth.db", f, out);
}

// Directories under data/accounts/ of no configured account (a removal
// completes at the next start of a program, docs/DESIGN.md "Account removal").
void unknown_account_dirs(const config::Config& c, VerifyResult& out) {
  Findings f(out, "data", "");
  std::error_code ec;
  for (fs::directory_iterator it(c.data_dir() + "/accounts", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!c.account(name)) f.add("unknown-account-dir", "accounts/" + name, "no such account");
  }
}

// Spool files in data/tmp/ are unnamed (O_TMPFILE) or unlinked at once
// (smtpserver/delivery.cc); one that is a day old was left by a crash.
// Directories there are account removals, which complete on their own.
void stale_spool_files(const config::Config& c, bool fix, VerifyResult& out) {
  Findings f(out, "data", "");
  auto day_ago = fs::file_time_type::clock::now() - std::chrono::hours(24);
  std::error_code ec;
  for (fs::directory_iterator it(c.data_dir() + "/tmp", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code ec2;
    if (!it->is_regular_file(ec2) || it->last_write_time(ec2) > day_ago || ec2) continue;
    bool fixed = fix && ::unlink(it->path().c_str()) == 0;
    f.add("stale-temp-file", "file tmp/" + it->path().filename().string(), "stale temp file", 0,
          fixed);
  }
}

}  // namespace

std::string Finding::line() const {
  return scope + ": " + subject + ": " + text + (fixed ? " (fixed)" : "");
}

bool VerifyResult::unfixed() const {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return !f.fixed; });
}

Result<VerifyResult> verify_data(const config::Config& c, bool fix) {
  VerifyResult out;
  verify_auth(c, out);
  for (const auto& [name, acc] : c.dynamic().accounts) verify_account(c, name, fix, out);
  unknown_account_dirs(c, out);
  stale_spool_files(c, fix, out);
  verify_queue(c, fix, out);
  return out;
}

}  // namespace mox::admin
