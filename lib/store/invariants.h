// The rules an account's index.db keeps between its rows, checked
// (mox-config(8) verifydata; store/check.h check_account runs it):
//  - every message is in a mailbox that exists, under a UID unique in it
//    (RFC 9051 §2.3.1.1) and below the mailbox's UIDNEXT; so are the UIDs
//    recorded as expunged (store/vanished.h);
//  - no modseq (of a message, a mailbox, an expunge) is above the account's
//    highest, Account.ModSeq (RFC 7162 §3.1: the mailbox's HIGHESTMODSEQ
//    only grows);
//  - the expunged UID ranges hold no UID of a live message (reported by
//    check_account as vanished_live);
//  - Account.NextMessageID is above every message ID (store/idblocks.h);
//  - DiskUsage.MessageSize is the sum of the sizes of the messages
//    (store/quota.h).
// The counters (UIDNEXT, the account's modseq, NextMessageID, DiskUsage)
// can be derived from the rows and are repaired on request, always upwards
// for the first three, so that nothing handed out is handed out again; a
// problem of the rows themselves is only reported.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::store {

struct Problem {
  std::string kind;        // e.g. "uid-not-below-uidnext", stable for scripts
  std::string subject;     // what it is about: "mailbox Inbox", "message 12", "account"
  std::string text;        // what is wrong, one line
  int64_t message_id = 0;  // the message concerned, 0 for none
  bool fixed = false;      // repaired (check_invariants with repair)
};

// Checks the rules above in one snapshot of `db`; with `repair`, in one
// write transaction that also repairs the counters.
Result<std::vector<Problem>> check_invariants(db::Db& db, bool repair);

}  // namespace mox::store
