#include "admin/import.h"

#include <pwd.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "admin/internal.h"
#include "imap/utf7.h"
#include "mailio/maildirwalk.h"
#include "mailio/mboxread.h"
#include "store/import.h"
#include "store/mailbox.h"

namespace mox::admin {
namespace {

// The file system identity the account's files are made with: mox.conf's
// User when run as root (setfsuid(2): this thread's file access only),
// root again to open the input.
class StoreIdentity {
 public:
  explicit StoreIdentity(const std::string& user) {
    if (::geteuid() != 0) return;
    struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw || pw->pw_uid == 0) return;
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    active_ = true;
  }
  ~StoreIdentity() { input(); }
  StoreIdentity(const StoreIdentity&) = delete;
  StoreIdentity& operator=(const StoreIdentity&) = delete;
  void store() {
    if (!active_) return;
    ::setfsgid(gid_);
    ::setfsuid(uid_);
  }
  void input() {
    if (!active_) return;
    ::setfsuid(0);
    ::setfsgid(0);
  }

 private:
  bool active_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

using AddFn = std::function<Status(const std::string& mailbox, std::string_view data,
                                   const std::vector<std::string>& flags, int64_t received)>;
using Produce = std::function<Status(const AddFn&, StoreIdentity&)>;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The second pass: opens the account as its User and stores what
// `produce` gives, all or nothing.
Result<ImportSummary> store_messages(const config::Config& c, const std::string& account,
                                     int64_t total, const ImportOptions& o,
                                     const Produce& produce) {
  StoreIdentity who(c.static_config().user);
  who.store();
  MOX_ASSIGN(store::AccountStore a, open_account(c, account, true));
  store::Importer::Options io;
  io.quota = c.quota_message_size(account);
  io.skip_existing = true;
  store::Importer imp(a, io);
  ImportSummary sum;
  int64_t done = 0;
  AddFn add = [&](const std::string& mailbox, std::string_view data,
                  const std::vector<std::string>& flags, int64_t received) -> Status {
    who.store();
    MOX_ASSIGN(bool added,
               imp.add(mailbox, data, store::import_flags(flags, &sum.dropped_flags), received));
    if (!added) sum.skipped++;
    if (o.progress) o.progress(++done, total);
    return {};
  };
  Status st = produce(add, who);
  who.store();
  if (st) st = imp.flush();
  if (!st) {
    // All or nothing (admin/import.h): what was committed goes again.
    if (auto u = imp.undo(); !u)
      return Error{st.error().kind, st.error().message + " (and undoing the import failed: " +
                                        u.error().message + ")"};
    return std::move(st).error();
  }
  sum.messages = imp.committed();
  sum.mailboxes.assign(imp.mailboxes().begin(), imp.mailboxes().end());
  return sum;
}

Status check_account(const config::Config& c, const std::string& account) {
  if (!c.account(account)) return user_error("account \"" + account + "\" does not exist");
  return {};
}

// The mailbox of a maildir folder below `base`.
Result<std::string> folder_mailbox(const std::string& base, const mailio::MaildirFolder& f) {
  std::string name = base;
  for (const std::string& level : f.levels) {
    std::string l = level;
    if (f.maildirpp) {
      // Dovecot writes Maildir++ names in modified UTF-7; others as they are.
      if (auto d = imap::utf7_decode(level)) l = *d;
    }
    name += (name.empty() ? "" : "/") + l;
  }
  if (name.empty()) name = "Inbox";
  auto n = store::normalize_mailbox_name(name);
  if (!n) return user_error(f.path + ": mailbox name \"" + name + "\": " + n.error().message);
  return n;
}

}  // namespace

Result<ImportSummary> import_maildir(const config::Config& c, const std::string& account,
                                     const std::string& mailbox, const std::string& path,
                                     const ImportOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  MOX_TRY(check_account(c, account));
  if (mailbox.empty() && !o.recursive)
    return user_error("an empty MAILBOX needs --recursive (children go to the top level)");
  MOX_ASSIGN(auto folders, mailio::walk_maildir(path, o.recursive));
  std::vector<std::string> names;
  int64_t total = 0;
  for (const auto& f : folders) {
    MOX_ASSIGN(std::string n, folder_mailbox(mailbox, f));
    names.push_back(std::move(n));
    for (const auto& file : f.files) {
      MOX_TRY(mailio::read_maildir_message(f, file, true));
      total++;
    }
  }
  Produce produce = [&](const AddFn& add, StoreIdentity& who) -> Status {
    for (size_t i = 0; i < folders.size(); i++) {
      for (const auto& file : folders[i].files) {
        who.input();
        MOX_ASSIGN(mailio::MaildirMessage m, mailio::read_maildir_message(folders[i], file));
        MOX_TRY(add(names[i], m.data, m.flags, m.received));
      }
    }
    return {};
  };
  MOX_ASSIGN(ImportSummary sum, store_messages(c, account, total, o, produce));
  sum.seconds = seconds_since(t0);
  return sum;
}

Result<ImportSummary> import_mbox(const config::Config& c, const std::string& account,
                                  const std::string& mailbox, const std::string& path,
                                  const ImportOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  MOX_TRY(check_account(c, account));
  auto name = store::normalize_mailbox_name(mailbox);
  if (!name) return user_error("mailbox name \"" + mailbox + "\": " + name.error().message);
  int64_t total = 0;
  if (path != "-") {
    MOX_ASSIGN(auto src, mailio::open_source(path));
    mailio::MboxReader r(std::move(src));
    while (true) {
      MOX_ASSIGN(auto m, r.next());
      if (!m) break;
      total++;
    }
  }
  Produce produce = [&](const AddFn& add, StoreIdentity& who) -> Status {
    who.input();
    MOX_ASSIGN(auto src, mailio::open_source(path));
    mailio::MboxReader r(std::move(src));
    while (true) {
      MOX_ASSIGN(auto m, r.next());
      if (!m) return {};
      MOX_TRY(add(*name, m->data, m->flags, m->received));
    }
  };
  MOX_ASSIGN(ImportSummary sum, store_messages(c, account, total, o, produce));
  sum.seconds = seconds_since(t0);
  return sum;
}

}  // namespace mox::admin
