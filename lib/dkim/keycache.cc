#include "dkim/keycache.h"

namespace mox::dkim {

KeyCache::~KeyCache() {
  for (auto& [k, key] : lru_) EVP_PKEY_free(key);
}

Result<crypto::PKeyPtr> KeyCache::public_key(const KeyRecord& r) {
  std::string k = r.key_type + "\n" + r.public_key;
  {
    MutexLock lock(mu_);
    auto it = index_.find(k);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      EVP_PKEY* key = it->second->second;
      if (EVP_PKEY_up_ref(key) == 1) return crypto::PKeyPtr(key);
    }
  }
  // Decoded outside the lock: other signatures are checked meanwhile.
  MOX_ASSIGN(crypto::PKeyPtr key, record_public_key(r));
  if (EVP_PKEY_up_ref(key.get()) != 1) return key;
  MutexLock lock(mu_);
  if (index_.count(k) > 0 || max_ == 0) {
    EVP_PKEY_free(key.get());  // another thread was first; or no caching
    return key;
  }
  lru_.emplace_front(k, key.get());
  index_[std::move(k)] = lru_.begin();
  if (lru_.size() > max_) {
    EVP_PKEY_free(lru_.back().second);
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return key;
}

}  // namespace mox::dkim
