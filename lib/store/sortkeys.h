// The keys of IMAP SORT and THREAD kept with each message
// (message/sortkeys.h; docs/DESIGN.md "Reading mail"): the sent date, base
// subject, first addresses, display names, Message-ID and references, in
// columns of Message (migration 8 of store/account.cc), so that sorting or
// threading a mailbox of 10,000 messages reads rows and no message file.
//
// Every path that adds a row stores them in its transaction: deliver() and
// SharedAccount from the header they parsed already (or the file's header
// when they had none), copies from the source row. Rows whose keys are
// missing or older than kSortKeysVersion (messages stored before migration
// 8, or keys of an older version of the code) get them from their message
// file on the first load_sort_keys() of their mailbox, stored in batches,
// each one transaction.
//
// Not thread-safe beyond what AccountStore is: one caller per AccountStore.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/sqlite.h"
#include "message/parsed.h"
#include "message/sortkeys.h"
#include "store/account.h"
#include "store/deliver.h"
#include "util/result.h"

namespace mox::store {

// The version of the keys this code computes; raise it with every change to
// message/sortkeys.cc or message/basesubject.cc that changes a key, and the
// keys of older versions are computed again on their next load.
constexpr int64_t kSortKeysVersion = 1;

// The keys of a stored message: from `parsed` when it is the structure of
// `message` (same size, header parsed), else from parsing message's header.
message::SortKeys sort_keys_of(std::string_view message, const message::Parsed* parsed);
// The keys of a delivery whose file `id` of `size` octets is written: from
// req.parsed when it is that of the stored message, else from the file.
Result<message::SortKeys> delivered_sort_keys(const std::string& account_dir, int64_t id,
                                              int64_t size, const DeliverRequest& req);

// Inside a write transaction: the keys of message `id`, whose row exists.
Status store_sort_keys(db::Db& db, int64_t id, const message::SortKeys& k);
// Inside a write transaction: message `to` (a copy) gets the keys of `from`.
Status copy_sort_keys(db::Db& db, int64_t from, int64_t to);

struct SortRow {
  int64_t uid = 0;
  message::SortKeys keys;
};
// Which keys load_sort_keys() reads, as bits: a SORT needs the keys of
// its criteria only, and reading fewer strings is most of its cost.
enum SortField : unsigned {
  kSortSent = 1,
  kSortSubject = 2,  // subject and reply
  kSortFrom = 4,
  kSortTo = 8,
  kSortCc = 16,
  kSortDisplayFrom = 32,
  kSortDisplayTo = 64,
  kSortThread = 128,  // message_id and references
  kSortAll = 255,
};
// The keys in `fields` of the messages of a mailbox (not expunged), in UID
// order, the others left empty; the keys of messages whose keys are
// missing or of an older version are computed from their files first and
// stored (a message whose file is gone gets empty keys).
Result<std::vector<SortRow>> load_sort_keys(AccountStore& a, int64_t mailbox_id,
                                            unsigned fields = kSortAll);

}  // namespace mox::store
