#include "admin/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <set>

#include "admin/internal.h"
#include "mailio/mailboxpath.h"
#include "mailio/maildirwrite.h"
#include "mailio/mboxwrite.h"
#include "store/export.h"
#include "store/mailbox.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::admin {
namespace {

constexpr int kRowsPerRead = 1000;

struct Target {
  store::Mailbox mailbox;
  std::string path;  // the Maildir directory or the mbox file
};

// The mailboxes asked for (all when none is named), in name order.
Result<std::vector<store::Mailbox>> chosen(const std::vector<store::Mailbox>& all,
                                           const std::vector<std::string>& names) {
  if (names.empty()) return all;
  std::set<std::string> wanted;
  for (const auto& n : names) {
    MOX_ASSIGN(std::string norm, store::normalize_mailbox_name(n));
    wanted.insert(norm);
  }
  std::vector<store::Mailbox> out;
  for (const auto& mb : all) {
    if (wanted.erase(mb.name)) out.push_back(mb);
  }
  if (!wanted.empty()) return not_found("mailbox \"" + *wanted.begin() + "\" does not exist");
  return out;
}

// Where each mailbox goes; refuses the export when a target has content.
Result<std::vector<Target>> plan(const std::vector<store::Mailbox>& mailboxes,
                                 const ExportRequest& r) {
  bool maildir = r.format == ExportFormat::kMaildir;
  std::vector<Target> out;
  for (const auto& mb : mailboxes) {
    MOX_ASSIGN(std::string rel, mailio::mailbox_relpath(mb.name, maildir));
    std::string path = r.dir + "/" + rel + (maildir ? "" : ".mbox");
    MOX_ASSIGN(bool full,
               maildir ? mailio::maildir_has_content(path) : mailio::mbox_has_content(path));
    if (full) return user_error(path + " is not empty; export writes only into new or empty ones");
    out.push_back({mb, std::move(path)});
  }
  return out;
}

struct Run {
  store::ExportSnapshot& snap;
  const ExportRequest& r;
  int64_t total = 0;
  ExportSummary sum;
  std::vector<int64_t> missing;  // IDs whose files were gone
};

Status export_mailbox(Run& run, const Target& t) {
  MOX_ASSIGN(std::unique_ptr<mailio::MailboxWriter> w, run.r.format == ExportFormat::kMaildir
                                                           ? mailio::open_maildir_writer(t.path)
                                                           : mailio::open_mbox_writer(t.path));
  for (int64_t after = 0;;) {
    MOX_ASSIGN(std::vector<store::ExportRow> rows,
               run.snap.messages(t.mailbox.id, after, kRowsPerRead));
    if (rows.empty()) break;
    after = rows.back().uid;
    for (const auto& row : rows) {
      Result<UniqueFd> fd = run.snap.open_file(row.id);
      if (!fd && fd.error().kind == ErrorKind::kNotFound) {
        run.missing.push_back(row.id);
        continue;
      }
      if (!fd) return fd.error();
      mailio::MessageInfo info{row.id, row.received, store::flag_names(row.flags), row.mail_from};
      MOX_ASSIGN(int64_t n, w->add(fd->get(), info));
      run.sum.bytes += n;
      run.sum.messages++;
      if (run.r.progress) run.r.progress(run.sum.messages, run.total);
    }
  }
  MOX_TRY(w->finish());
  run.sum.mailboxes++;
  for (const auto& warning : w->warnings())
    run.sum.warnings.push_back(t.mailbox.name + ": " + warning);
  return {};
}

// Everything written below `dir` to disk: one syncfs(2) of its file system
// rather than an fsync per file and directory.
Status sync_dir_fs(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("open " + dir, errno);
  UniqueFd owner(fd);
  if (::syncfs(fd) != 0) return os_error("sync " + dir, errno);
  return {};
}

}  // namespace

Result<ExportSummary> export_account(const config::Config& c, const ExportRequest& r) {
  if (!c.account(r.account)) return not_found("account \"" + r.account + "\" does not exist");
  if (r.dir.empty()) return user_error("no export directory");
  if (!path_exists(c.account_dir(r.account) + "/index.db") && r.mailboxes.empty()) {
    MOX_TRY(mkdir_all(r.dir, 0700));  // never received anything: nothing to write
    return ExportSummary{};
  }
  MOX_ASSIGN(store::AccountStore st, open_account(c, r.account, false));
  MOX_ASSIGN(store::ExportSnapshot snap, store::ExportSnapshot::begin(st));
  MOX_ASSIGN(std::vector<store::Mailbox> mailboxes, chosen(snap.mailboxes(), r.mailboxes));
  MOX_ASSIGN(std::vector<Target> targets, plan(mailboxes, r));
  MOX_TRY(mkdir_all(r.dir, 0700));
  Run run{snap, r, 0, {}, {}};
  for (const auto& t : targets) {
    MOX_ASSIGN(int64_t n, snap.count(t.mailbox.id));
    run.total += n;
  }
  for (const auto& t : targets) MOX_TRY(export_mailbox(run, t));
  snap.end();
  MOX_ASSIGN(std::vector<int64_t> damaged, snap.still_present(run.missing));
  if (!damaged.empty()) {
    return internal_error("the file of message " + std::to_string(damaged.front()) + " (and " +
                          std::to_string(damaged.size() - 1) +
                          " more) is missing although the message is in the account");
  }
  run.sum.expunged = static_cast<int64_t>(run.missing.size());
  MOX_TRY(sync_dir_fs(r.dir));
  return run.sum;
}

}  // namespace mox::admin
