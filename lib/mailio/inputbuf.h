// A look-ahead buffer over a ByteSource (mailio/source.h) for the mbox
// reader: lines and byte ranges are looked at before they are consumed,
// and the buffer keeps only what was looked at and not consumed yet (so
// its size is bounded by the longest look-ahead, one message at most).
// Counts the bytes and lines consumed, for error positions; an error of the
// source is given with the offset of the content where it came.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mailio/source.h"
#include "util/result.h"

namespace mox::mailio {

class InputBuffer {
 public:
  explicit InputBuffer(ByteSource& src) : src_(src) {}

  // The next line with its LF, or the rest of the input when it ends
  // without one; empty at the end. kSyntax when the line is longer than
  // `max` bytes. Valid until the next call.
  Result<std::string_view> peek_line(size_t max);
  // The next `n` bytes, fewer only at the end of the input. Valid until the
  // next call.
  Result<std::string_view> peek(size_t n);
  // Drops `n` bytes of what was peeked.
  void consume(size_t n);
  bool at_end();  // nothing left (after a peek that found the end)

  int64_t offset() const { return offset_; }  // bytes consumed
  int64_t line() const { return line_; }      // 1 + lines consumed

 private:
  // Reads more input; false at the end.
  Result<bool> fill();

  ByteSource& src_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  int64_t offset_ = 0, line_ = 1;
};

}  // namespace mox::mailio
