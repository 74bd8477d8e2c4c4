// The stages of a delivery, shared by deliver() (one message) and
// SharedAccount (many threads, grouped commits). Internal to lib/store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "store/deliver.h"
#include "store/idblocks.h"
#include "store/msgfile.h"
#include "store/parsed.h"
#include "store/sortkeys.h"
#include "util/unique_fd.h"

namespace mox::store {

// A checked request: the normalized mailbox and the opened source.
struct CheckedRequest {
  std::string mailbox;
  MessageSource src;
  UniqueFd owned;  // source_path opened by check_request()
};

// Validates flags, offset and mailbox name (kUser), checks that the mailbox
// exists when it is not to be created (kNotFound), opens source_path. Uses
// `db` only when !req.create_mailbox (it may be null otherwise).
Result<CheckedRequest> check_request(db::Db* db, const DeliverRequest& req);

// The row for a message whose file is durable.
struct PendingRow {
  std::string mailbox;
  bool create_mailbox = true;
  int64_t received = 0;
  MessageFlags flags;
  int64_t id = 0, size = 0;
  // Set by commit_rows():
  std::optional<Result<Delivered>> result;
  bool committing = false;  // COMMIT was tried: the row may exist even on error
  // Set by GroupCommit's committing thread (store/groupcommit.h), under its
  // mutex, once commit_rows() has returned: only then may the row's owner
  // read it.
  bool done = false;
  // ENVELOPE, BODYSTRUCTURE and search text, stored with the row; or only
  // the FETCH forms, the search text being indexed later (SharedAccount).
  std::optional<ParsedMessage> parsed = std::nullopt;
  std::optional<FetchForms> forms = std::nullopt;
  int64_t quota = 0;  // DeliverRequest::quota, checked by commit_rows()
  std::optional<MessageAuth> auth = std::nullopt;        // DeliverRequest::auth
  std::optional<message::SortKeys> sort = std::nullopt;  // store/sortkeys.h
};

// The bytes of message `id` as just written from `req`, to be parsed for
// store/parsed.h: from memory when the request has them there (the same
// bytes as the file), else from the file (in the page cache).
Result<std::string> written_message(const std::string& account_dir, int64_t id,
                                    const DeliverRequest& req);

// Parses the bytes `data` of a row's message file for the store: its FETCH
// forms and search text (store/parsed.h) and SORT keys (store/sortkeys.h),
// from `parsed` when the caller parsed it already (DeliverRequest::parsed).
// What every path that stores a new message runs (deliver(), import).
void parse_into_row(PendingRow& row, std::string_view data, const message::Parsed* parsed);

// Inserts the rows in one transaction, each in its own savepoint so that one
// failing row (e.g. a mailbox out of UIDs, or over its account's quota given
// the rows before it) does not fail the others, then commits once. Sets
// every row's result. Does not notify.
void commit_rows(db::Db& db, const std::vector<PendingRow*>& rows);

// undeliver() on a Db: row removal (its UID kept as expunged) and file
// removal; notifies.
Status remove_delivered(db::Db& db, const std::string& account_dir, const Delivered& d);
// The same for many messages: one transaction per mailbox and 1,000
// messages; messages no longer there (expunged meanwhile) are skipped.
Status remove_delivered(db::Db& db, const std::string& account_dir,
                        const std::vector<Delivered>& ds);

}  // namespace mox::store
