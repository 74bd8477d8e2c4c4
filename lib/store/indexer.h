// The search text (store/parsed.h) of messages committed by a SharedAccount
// (store/shared.h), indexed by a thread of its own once deliveries pause for
// kIndexIdle, at the latest kIndexMaxDelay after a delivery, in batches: the
// full-text index costs more than the rest of a delivery and must not hold
// up its reply. A message not indexed here is indexed by the next search
// (ensure_parsed).
//
// Thread-safe. The thread starts with the first message added.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "util/mutex.h"

namespace mox::store {

class Indexer {
 public:
  // When the thread starts a batch: deliveries paused this long, or the
  // oldest message waiting this long.
  static constexpr std::chrono::milliseconds kIndexIdle{20};
  static constexpr std::chrono::seconds kIndexMaxDelay{10};
  // Messages per batch: large enough to share a commit, small enough that a
  // delivery arriving meanwhile waits little.
  static constexpr size_t kIndexBatch = 16;

  // `index` indexes a batch of message IDs (parses their files and stores
  // the search text); its failures leave them to the next search.
  using IndexFn = std::function<void(const std::vector<int64_t>&)>;
  explicit Indexer(IndexFn index) : index_(std::move(index)) {}
  ~Indexer() { stop(std::chrono::milliseconds(0)); }
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // A delivery starts: the thread waits for a pause.
  void delivering() EXCLUDES(mu_);
  // Message `id` is committed: to be indexed (nothing after stop()).
  void add(int64_t id) EXCLUDES(mu_);
  // Messages added and not indexed yet.
  size_t backlog() EXCLUDES(mu_);
  // Ends the thread after the batch in progress, then indexes what still
  // waits in this thread, for at most `limit`.
  void stop(std::chrono::milliseconds limit) EXCLUDES(mu_);

 private:
  using Clock = std::chrono::steady_clock;
  void loop() EXCLUDES(mu_);
  std::vector<int64_t> take_batch() REQUIRES(mu_);  // the oldest waiting

  const IndexFn index_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::pair<int64_t, Clock::time_point>> waiting_ GUARDED_BY(mu_);  // ID, committed at
  Clock::time_point last_delivery_ GUARDED_BY(mu_){};
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_ GUARDED_BY(mu_);
};

}  // namespace mox::store
