// METADATA entries (RFC 5464) of an account: the server's (mailbox 0) and
// each mailbox's, in the Metadata table of index.db (account.cc migration
// 9). Entry names are kept lower-cased (RFC 5464 §3.2: case-insensitive);
// the caller checks their form. A mailbox's entries are removed with it by
// a trigger, and stay with its ID through RENAME.
//
// Not thread-safe beyond what AccountStore is: one caller per AccountStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/account.h"
#include "util/result.h"

namespace mox::store {

struct MetadataEntry {
  std::string entry;  // lower-cased, e.g. "/private/comment"
  std::string value;
};

// The message of the kUser error set_metadata gives past max_entries.
inline constexpr const char* kTooManyMetadata = "too many metadata entries";

// The entries of mailbox `mailbox_id` (0: the server), in name order.
Result<std::vector<MetadataEntry>> list_metadata(AccountStore& a, int64_t mailbox_id);

// In one transaction: sets the entries with a value and removes those
// without. A kUser error kTooManyMetadata (and nothing changed) when the
// mailbox would then hold more than `max_entries`.
using MetadataChange = std::pair<std::string, std::optional<std::string>>;
Status set_metadata(AccountStore& a, int64_t mailbox_id, const std::vector<MetadataChange>& changes,
                    size_t max_entries);

}  // namespace mox::store
