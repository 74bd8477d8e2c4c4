// An account's mailboxes and messages as the IMAP session uses them: the one
// boundary between the session (session.h, no SQL and no file reads of its
// own) and the account store. The session gets a Mailstore from
// Backend::open_account at login and goes through it for every read and
// change; StoreMailstore is the implementation over store::AccountStore
// (index.db and the message files), which holds the account's shared lock
// while open. Errors are those of the store functions named beside each
// method (store/messages.h, store/deliver.h, store/parsed.h, store/quota.h).
//
// Not thread-safe: one session uses one Mailstore.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/deliver.h"
#include "store/flags.h"
#include "store/messages.h"
#include "store/metadata.h"
#include "store/parsed.h"
#include "store/recent.h"
#include "store/sortkeys.h"
#include "util/result.h"

namespace mox::imapserver {

// The stored search text of single messages, for one SEARCH
// (store::SearchTextReader): "" when a message has none.
class SearchText {
 public:
  virtual ~SearchText() = default;
  virtual Result<std::string> headers(int64_t id) = 0;
  virtual Result<std::string> body(int64_t id) = 0;
};

class Mailstore {
 public:
  virtual ~Mailstore() = default;
  // The account directory, whose changes wake IDLE (store/notify.h).
  virtual std::string dir() const = 0;

  // Mailboxes (store/messages.h).
  virtual Result<std::vector<store::Mailbox>> list_mailboxes() = 0;
  virtual Result<std::optional<store::Mailbox>> find_mailbox(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> list_subscriptions() = 0;
  virtual Result<int64_t> highest_modseq() = 0;
  virtual Result<store::Mailbox> create_mailbox(const std::string& name,
                                                const std::string& special_use) = 0;
  virtual Status delete_mailbox(const std::string& name) = 0;
  virtual Status rename_mailbox(const std::string& from, const std::string& to) = 0;
  virtual Status set_subscribed(const std::string& name, bool subscribed) = 0;

  // Messages of a mailbox (store/messages.h).
  virtual Result<std::vector<store::MessageRow>> list_messages(int64_t mailbox_id) = 0;
  virtual Result<store::Changes> changes_since(int64_t mailbox_id, int64_t modseq) = 0;
  virtual Result<store::StoreResult> store_flags(int64_t mailbox_id,
                                                 const std::vector<int64_t>& uids, store::FlagOp op,
                                                 const store::MessageFlags& flags,
                                                 std::optional<int64_t> unchanged_since) = 0;
  virtual Result<std::vector<int64_t>> expunge(int64_t mailbox_id,
                                               const std::optional<std::vector<int64_t>>& uids) = 0;
  virtual Result<store::CopyResult> copy_messages(int64_t mailbox_id,
                                                  const std::vector<int64_t>& uids,
                                                  const std::string& dest, bool move,
                                                  int64_t quota) = 0;

  // \Recent (store/recent.h): the messages that become recent for this
  // session, and the mark above which none has claimed them yet.
  virtual Result<store::RecentClaim> claim_recent(int64_t mailbox_id) = 0;
  virtual Result<int64_t> recent_uid(int64_t mailbox_id) = 0;

  // APPEND (store::deliver into an existing mailbox, from `data`), and its
  // undoing (store::undeliver) when a MULTIAPPEND fails part-way.
  virtual Result<store::Delivered> append(const std::string& mailbox, std::string_view data,
                                          const store::MessageFlags& flags, int64_t received,
                                          int64_t quota) = 0;
  virtual Status undeliver(const store::Delivered& d) = 0;

  // A message file's bytes (prefix included), for FETCH of body sections.
  virtual Result<std::string> message_data(int64_t id) = 0;
  // The PREVIEW text of a message, rendered on first use (store/preview.h).
  virtual Result<std::string> preview(int64_t id) = 0;
  // The stored FETCH forms of messages `ids`, in order (store/parsed.h).
  virtual Result<std::vector<store::FetchForms>> fetch_forms(const std::vector<int64_t>& ids) = 0;
  // SEARCH (store/parsed.h): the index made complete for a mailbox, the
  // candidates for a needle, the stored text to check them against.
  virtual Status ensure_parsed(int64_t mailbox_id) = 0;
  virtual Result<std::vector<int64_t>> text_search(std::string_view needle) = 0;
  virtual std::unique_ptr<SearchText> search_text() = 0;
  // SORT and THREAD (store/sortkeys.h): the sort keys in `fields`
  // (store::SortField bits) of a mailbox's messages in UID order, computed
  // first for those stored without them.
  virtual Result<std::vector<store::SortRow>> sort_keys(int64_t mailbox_id, unsigned fields) = 0;

  // METADATA entries of a mailbox, 0 for the server's (store/metadata.h).
  virtual Result<std::vector<store::MetadataEntry>> list_metadata(int64_t mailbox_id) = 0;
  virtual Status set_metadata(int64_t mailbox_id, const std::vector<store::MetadataChange>& changes,
                              size_t max_entries) = 0;

  // Bytes of messages the account holds (store/quota.h).
  virtual Result<int64_t> disk_usage() = 0;
};

// The Mailstore over the account store in `dir` (store::AccountStore::open,
// shared lock held until it is destroyed).
Result<std::unique_ptr<Mailstore>> open_mailstore(const std::string& dir);

}  // namespace mox::imapserver
