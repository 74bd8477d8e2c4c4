// Read-only view of a stored message file, for parse_message and section():
// the message files of an account are written once and never changed
// (store/msgfile.h), so mapping them is safe and saves reading them into
// memory for every FETCH.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/result.h"

namespace mox::message {

// Owns one read-only mmap(2) of `size` bytes of a file from `offset`.
// Move-only; the mapping outlives the fd it was made from. Not thread-safe
// to move, safe to read from many threads.
class MappedMessage {
 public:
  // Maps [offset, offset + size) of `fd`. A size of 0 maps nothing and gives
  // an empty view. kInternal error when mmap fails (e.g. EACCES, ENOMEM); a
  // range past the end of the file is a kUser error (reading it would raise
  // SIGBUS).
  static Result<MappedMessage> map(int fd, int64_t offset, size_t size);

  MappedMessage(MappedMessage&& o) noexcept;
  MappedMessage& operator=(MappedMessage&& o) noexcept;
  MappedMessage(const MappedMessage&) = delete;
  MappedMessage& operator=(const MappedMessage&) = delete;
  ~MappedMessage();

  std::string_view bytes() const { return {data_, size_}; }

 private:
  MappedMessage(void* base, size_t length, const char* data, size_t size)
      : base_(base), length_(length), data_(data), size_(size) {}
  void reset();

  void* base_ = nullptr;  // as mmap returned it (page aligned)
  size_t length_ = 0;     // mapped length
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mox::message
