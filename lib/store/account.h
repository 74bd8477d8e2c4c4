// One account's store: data/accounts/NAME/{index.db, msg/, lock}.
// Every process using an account holds a shared flock on its lock file for as
// long as it uses it, so account removal can tell when nobody does
// (docs/DESIGN.md "Shared state between processes").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/fs.h"
#include "util/result.h"

namespace mox::store {

struct PasswordRecord {
  std::string scram_sha1_salt, scram_sha1_stored_key, scram_sha1_server_key;
  int64_t scram_sha1_iterations = 0;
  std::string scram_sha256_salt, scram_sha256_stored_key, scram_sha256_server_key;
  int64_t scram_sha256_iterations = 0;
  std::string cram_md5_ipad, cram_md5_opad;
};

struct MailboxInfo {
  int64_t id = 0;
  std::string name, special_use;
  int64_t uidvalidity = 0, uidnext = 0;
};

// Default mailboxes of a new account, with RFC 6154 special-use attributes.
struct DefaultMailbox {
  const char* name;
  const char* special_use;
};
inline constexpr DefaultMailbox kDefaultMailboxes[] = {
    {"Inbox", ""},        {"Sent", "\\Sent"},     {"Archive", "\\Archive"},
    {"Trash", "\\Trash"}, {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"},
};

class IdBlocks;  // store/idblocks.h

// The schema migrations of index.db, in order (for tests that build a
// database of an older version).
const std::vector<std::string>& account_migrations();

class AccountStore {
 public:
  AccountStore(AccountStore&&) noexcept;
  AccountStore& operator=(AccountStore&&) noexcept;
  ~AccountStore();

  // Opens the account directory `dir`, creating it and its default mailboxes
  // when `create` is set. Holds a shared lock until destroyed.
  static Result<AccountStore> open(const std::string& dir, bool create);

  db::Db& db() { return db_; }
  const std::string& dir() const { return dir_; }

  // For a process that keeps the account open between uses (store/shared.h),
  // so that an account removal (docs/DESIGN.md "Shared state between
  // processes") is not held up while it is idle: release_lock() gives up the
  // shared lock; relock() takes it again and says whether dir() is still the
  // account opened. False: it was removed (and maybe re-created) meanwhile;
  // drop this AccountStore, open anew.
  void release_lock() { lock_.release(); }
  Result<bool> relock();

  // The message IDs that deliver() (store/deliver.h) reserved through this
  // store and has not used yet: a block at a time, so that a session
  // delivering many messages commits once per message. Like the store, for
  // one thread at a time.
  IdBlocks& message_ids();

  Status set_password(const PasswordRecord& p);
  Result<std::optional<PasswordRecord>> password();
  Result<std::vector<MailboxInfo>> mailboxes();

 private:
  AccountStore(std::string dir, FileLock lock, db::Db db);
  std::string dir_;
  FileLock lock_;
  dev_t lock_dev_ = 0;  // identity of the lock file opened first
  ino_t lock_ino_ = 0;
  db::Db db_;
  std::unique_ptr<IdBlocks> ids_;  // made by the first message_ids()
};

}  // namespace mox::store
