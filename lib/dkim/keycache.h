// Decoded DKIM public keys, kept by the bytes of their p= value.
//
// OpenSSL 3 decodes an RSA SubjectPublicKeyInfo (d2i_PUBKEY, its decoder
// framework) in about 150 µs on a small server, ten times the cost of
// checking the signature itself (openssl speed: 16 µs per RSA-2048
// verification), and an MX sees the same few signers' keys again and
// again. A verifier (mox-smtpd's MX, mailauth/mailauth.h) keeps one cache
// for its process and passes it in dkim::VerifyOptions; the key record is
// still fetched and parsed for every signature (its flags, s= and h= can
// change with DNS), only the decoded key is reused.
//
// Thread-safe. Holds at most `max_entries` keys; when full, the least
// recently used one is dropped.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

#include "crypto/keys.h"
#include "dkim/keyrecord.h"
#include "util/mutex.h"
#include "util/result.h"

namespace mox::dkim {

class KeyCache {
 public:
  explicit KeyCache(size_t max_entries = 1024) : max_(max_entries) {}
  ~KeyCache();
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;
  // record_public_key(r), from the cache when the same key type and bytes
  // were decoded before. The returned key is the caller's (a reference of
  // its own, EVP_PKEY_up_ref). Errors are not cached.
  Result<crypto::PKeyPtr> public_key(const KeyRecord& r) EXCLUDES(mu_);

 private:
  using Entry = std::pair<std::string, EVP_PKEY*>;  // key: type + "\n" + bytes
  Mutex mu_;
  const size_t max_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // most recently used first; owns one reference each
  std::unordered_map<std::string, std::list<Entry>::iterator> index_ GUARDED_BY(mu_);
};

}  // namespace mox::dkim
