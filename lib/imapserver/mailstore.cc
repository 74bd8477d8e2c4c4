// Mailstore over store::AccountStore (imapserver/mailstore.h): each method is
// the store function of the same name on the one open account.
#include "imapserver/mailstore.h"

#include <sys/mman.h>
#include <unistd.h>

#include "store/account.h"
#include "store/preview.h"
#include "store/quota.h"
#include "store/recent.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::imapserver {
namespace {

class StoreSearchText : public SearchText {
 public:
  explicit StoreSearchText(store::AccountStore& a) : reader_(a) {}
  Result<std::string> headers(int64_t id) override { return reader_.headers(id); }
  Result<std::string> body(int64_t id) override { return reader_.body(id); }

 private:
  store::SearchTextReader reader_;
};

class StoreMailstore : public Mailstore {
 public:
  explicit StoreMailstore(store::AccountStore a) : a_(std::move(a)) {}
  std::string dir() const override { return a_.dir(); }

  Result<std::vector<store::Mailbox>> list_mailboxes() override {
    return store::list_mailboxes(a_);
  }
  Result<std::optional<store::Mailbox>> find_mailbox(const std::string& name) override {
    return store::find_mailbox(a_, name);
  }
  Result<std::vector<std::string>> list_subscriptions() override {
    return store::list_subscriptions(a_);
  }
  Result<int64_t> highest_modseq() override { return store::highest_modseq(a_); }
  Result<store::Mailbox> create_mailbox(const std::string& name,
                                        const std::string& special_use) override {
    return store::create_mailbox(a_, name, special_use);
  }
  Status delete_mailbox(const std::string& name) override {
    return store::delete_mailbox(a_, name);
  }
  Status rename_mailbox(const std::string& from, const std::string& to) override {
    return store::rename_mailbox(a_, from, to);
  }
  Status set_subscribed(const std::string& name, bool subscribed) override {
    return store::set_subscribed(a_, name, subscribed);
  }

  Result<std::vector<store::MessageRow>> list_messages(int64_t mailbox_id) override {
    return store::list_messages(a_, mailbox_id);
  }
  Result<store::Changes> changes_since(int64_t mailbox_id, int64_t modseq) override {
    return store::changes_since(a_, mailbox_id, modseq);
  }
  Result<store::StoreResult> store_flags(int64_t mailbox_id, const std::vector<int64_t>& uids,
                                         store::FlagOp op, const store::MessageFlags& flags,
                                         std::optional<int64_t> unchanged_since) override {
    return store::store_flags(a_, mailbox_id, uids, op, flags, unchanged_since);
  }
  Result<std::vector<int64_t>> expunge(int64_t mailbox_id,
                                       const std::optional<std::vector<int64_t>>& uids) override {
    return store::expunge(a_, mailbox_id, uids);
  }
  Result<store::CopyResult> copy_messages(int64_t mailbox_id, const std::vector<int64_t>& uids,
                                          const std::string& dest, bool move,
                                          int64_t quota) override {
    return store::copy_messages(a_, mailbox_id, uids, dest, move, quota);
  }

  Result<store::RecentClaim> claim_recent(int64_t mailbox_id) override {
    return store::claim_recent(a_, mailbox_id);
  }
  Result<int64_t> recent_uid(int64_t mailbox_id) override {
    return store::recent_uid(a_, mailbox_id);
  }

  Result<store::Delivered> append(const std::string& mailbox, std::string_view data,
                                  const store::MessageFlags& flags, int64_t received,
                                  int64_t quota) override;
  Status undeliver(const store::Delivered& d) override { return store::undeliver(a_, d); }

  Result<std::string> message_data(int64_t id) override {
    return read_file(store::message_path(a_, id));
  }
  Result<std::vector<store::MetadataEntry>> list_metadata(int64_t mailbox_id) override {
    return store::list_metadata(a_, mailbox_id);
  }
  Status set_metadata(int64_t mailbox_id, const std::vector<store::MetadataChange>& changes,
                      size_t max_entries) override {
    return store::set_metadata(a_, mailbox_id, changes, max_entries);
  }
  Result<std::string> preview(int64_t id) override { return store::message_preview(a_, id); }
  Result<std::vector<store::FetchForms>> fetch_forms(const std::vector<int64_t>& ids) override {
    return store::fetch_forms(a_, ids);
  }
  Status ensure_parsed(int64_t mailbox_id) override { return store::ensure_parsed(a_, mailbox_id); }
  Result<std::vector<int64_t>> text_search(std::string_view needle) override {
    return store::text_search(a_, needle);
  }
  std::unique_ptr<SearchText> search_text() override {
    return std::make_unique<StoreSearchText>(a_);
  }
  Result<std::vector<store::SortRow>> sort_keys(int64_t mailbox_id, unsigned fields) override {
    return store::load_sort_keys(a_, mailbox_id, fields);
  }

  Result<int64_t> disk_usage() override { return store::disk_usage(a_); }

 private:
  store::AccountStore a_;
};

Result<store::Delivered> StoreMailstore::append(const std::string& mailbox, std::string_view data,
                                                const store::MessageFlags& flags, int64_t received,
                                                int64_t quota) {
  // The literal is in memory; the store copies it from a memory file.
  UniqueFd fd(::memfd_create("append", MFD_CLOEXEC));
  if (!fd.valid() ||
      ::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    return os_error("append: memory file", errno);
  }
  store::DeliverRequest req;
  req.mailbox = mailbox;
  req.create_mailbox = false;
  req.source_fd = fd.get();
  req.flags = flags;
  req.received = received;
  req.quota = quota;
  return store::deliver(a_, req);
}

}  // namespace

Result<std::unique_ptr<Mailstore>> open_mailstore(const std::string& dir) {
  MOX_ASSIGN(auto st, store::AccountStore::open(dir, true));
  return std::unique_ptr<Mailstore>(std::make_unique<StoreMailstore>(std::move(st)));
}

}  // namespace mox::imapserver
