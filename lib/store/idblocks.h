// Message IDs: the one place where they are reserved (reserve_message_ids,
// the only writer of Account.NextMessageID) and handed out, in blocks, with
// or without their files made in advance. deliver() (store/deliver.h) takes
// its IDs from its AccountStore's IdBlocks, SharedAccount (store/shared.h)
// from its own; why IDs are reserved before the row: idblocks.cc.
//
// Thread-safe. An IdBlocks belongs to one account directory as long as it is
// not removed (hold the account's lock while taking IDs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "db/sqlite.h"
#include "store/msgfile.h"
#include "util/mutex.h"
#include "util/result.h"

namespace mox::store {

// Takes `n` message IDs from Account.NextMessageID in one committed write
// transaction and returns the first: [first, first + n) are this caller's,
// never handed out again, also not after a crash.
Result<int64_t> reserve_message_ids(db::Db& db, int64_t n);

class IdBlocks {
 public:
  struct Options {
    // IDs in the first block; each next one has twice as many, up to max.
    int64_t first_block = 32, max_block = 32;
    // Each block's files are made empty in advance, with one directory fsync
    // per block (precreate_message_files): fill them with fill_message_file.
    bool make_files = false;
    // Once this many IDs were handed out, take() asks for the next block to
    // be made in the background (make_ahead()) when half of the current one
    // is used; 0: never.
    int64_t make_ahead_after = 0;
  };
  // Runs `use` with the account's database, held for this thread meanwhile.
  using WithDb = std::function<Result<int64_t>(const std::function<Result<int64_t>(db::Db&)>& use)>;

  IdBlocks(std::string account_dir, Options o) : dir_(std::move(account_dir)), opts_(o) {}
  ~IdBlocks() { discard(); }
  IdBlocks(const IdBlocks&) = delete;
  IdBlocks& operator=(const IdBlocks&) = delete;

  // The msg/<dir> directories made durable for this account.
  MessageDirs& dirs() { return dirs_; }

  // The next ID. With none left it reserves a block through `with_db` (or
  // waits for the thread making one). *ahead is set when the caller is to
  // run make_ahead() in the background now (Options::make_ahead_after).
  Result<int64_t> take(const WithDb& with_db, bool* ahead = nullptr) EXCLUDES(mu_);
  // Makes the next block, as take() asked; null `with_db`: not now (the
  // next take() that needs it makes it).
  void make_ahead(const WithDb* with_db) EXCLUDES(mu_);
  // Removes the files made in advance for the IDs not handed out (make_files;
  // a crash leaves them as orphans, which check_account removes).
  void discard() EXCLUDES(mu_);

 private:
  // Reserves `n` IDs (and makes their files): [first, end).
  Result<std::pair<int64_t, int64_t>> make_block(const WithDb& with_db, int64_t n);
  // A block made: the next to hand out; the one after it is larger.
  void ready(std::pair<int64_t, int64_t> block) REQUIRES(mu_);

  const std::string dir_;
  const Options opts_;
  MessageDirs dirs_;
  Mutex mu_;
  CondVar made_;                      // a block is ready, or making failed
  int64_t next_ GUARDED_BY(mu_) = 0;  // IDs being handed out: [next_, end_)
  int64_t end_ GUARDED_BY(mu_) = 0;
  int64_t ready_first_ GUARDED_BY(mu_) = 0;  // the next block: [ready_first_, ready_end_)
  int64_t ready_end_ GUARDED_BY(mu_) = 0;
  bool making_ GUARDED_BY(mu_) = false;  // a block is being made
  int64_t handed_out_ GUARDED_BY(mu_) = 0;
  int64_t block_ GUARDED_BY(mu_) = opts_.first_block;  // size of the next block
};

}  // namespace mox::store
