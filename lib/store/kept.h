// Messages that mox-smtpd parsed when they came in (DeliverRequest::parsed,
// message/parsed.h), kept in memory by SharedAccount (store/shared.h) from
// their delivery until the indexer has their search text, so that neither
// the delivery nor the indexer reads the file back or parses it again
// (docs/DESIGN.md "Incoming mail").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "message/parsed.h"
#include "store/deliver.h"
#include "store/parsed.h"
#include "util/mutex.h"
#include "util/result.h"

namespace mox::store {

// Messages delivered with DeliverRequest::parsed and kept in memory, bytes
// and structure, until the indexer has their search text (store/shared.h).
// Bounded: a message over kMaxMessage, or one that would take the total
// over kMaxTotal, is not kept (the indexer reads its file). Thread-safe.
class KeptMessages {
 public:
  static constexpr size_t kMaxMessage = 256 << 10;
  static constexpr size_t kMaxTotal = 16 << 20;
  struct Kept {
    std::string bytes;  // the file's content: prefix + source
    std::shared_ptr<const message::Parsed> parsed;
  };
  // Keeps message `id`, just written from `req`, when `req` has it in
  // memory and parsed, and it fits.
  void keep(int64_t id, const DeliverRequest& req) EXCLUDES(mu_);
  // Message `id` taken out; null when it is not kept.
  std::unique_ptr<Kept> take(int64_t id) EXCLUDES(mu_);
  size_t bytes() EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::map<int64_t, std::unique_ptr<Kept>> kept_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
};

// The FETCH forms of message `id` of `size` octets, just written from `req`:
// from req.parsed when it is set and of that size (the message is kept in
// `kept` for the indexer), else parsed from the bytes written.
Result<FetchForms> delivered_forms(const std::string& account_dir, int64_t id, int64_t size,
                                   const DeliverRequest& req, KeptMessages& kept);

}  // namespace mox::store
