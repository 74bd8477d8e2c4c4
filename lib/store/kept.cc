#include "store/kept.h"

#include <utility>

#include "store/deliver_internal.h"

namespace mox::store {

void KeptMessages::keep(int64_t id, const DeliverRequest& req) {
  if (!req.parsed || !req.source_data) return;
  size_t size = req.prefix.size() + req.source_data->size();
  if (size > kMaxMessage || size != req.parsed->size) return;
  MutexLock lock(mu_);
  if (bytes_ + size > kMaxTotal) return;
  auto k = std::make_unique<Kept>(Kept{req.prefix + std::string(*req.source_data), req.parsed});
  bytes_ += size;
  kept_[id] = std::move(k);
}

std::unique_ptr<KeptMessages::Kept> KeptMessages::take(int64_t id) {
  MutexLock lock(mu_);
  auto it = kept_.find(id);
  if (it == kept_.end()) return nullptr;
  std::unique_ptr<Kept> k = std::move(it->second);
  kept_.erase(it);
  bytes_ -= k->bytes.size();
  return k;
}

size_t KeptMessages::bytes() {
  MutexLock lock(mu_);
  return bytes_;
}

Result<FetchForms> delivered_forms(const std::string& account_dir, int64_t id, int64_t size,
                                   const DeliverRequest& req, KeptMessages& kept) {
  if (req.parsed && req.parsed->size == static_cast<size_t>(size)) {
    kept.keep(id, req);
    return fetch_forms_of(*req.parsed);
  }
  MOX_ASSIGN(std::string data, written_message(account_dir, id, req));
  return parse_fetch_forms(data);
}

}  // namespace mox::store
