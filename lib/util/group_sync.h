// Group commit for an operation that makes everything written before it
// durable, such as the fsync of a directory: concurrent callers that each
// need "a run that started after my write" share one run instead of queueing
// one each.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "util/result.h"

namespace mox {

// Thread-safe. All calls on one GroupSync must pass equivalent operations
// (e.g. the fsync of one directory).
class GroupSync {
 public:
  // Returns once `op` has run completely, started after this call began: run
  // by this thread, or by another whose run this one waited for. A failed run
  // fails every caller it would have covered, also when a later run succeeded
  // (after a failed fsync the data may be lost even if the next one succeeds).
  Status run(const std::function<Status()>& op);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t started_ = 0;   // runs started
  uint64_t finished_ = 0;  // runs finished: 1..finished_
  bool running_ = false;
  uint64_t failed_ = 0;  // the last run that failed, 0 if none
  std::string failure_;
};

}  // namespace mox
