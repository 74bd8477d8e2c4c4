#include "mailio/inputbuf.h"

#include <algorithm>

namespace mox::mailio {
namespace {
constexpr size_t kChunk = 1 << 16;
}

Result<bool> InputBuffer::fill() {
  if (eof_) return false;
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + kChunk);
  auto n = src_.read(buf_.data() + old, kChunk);
  if (!n) {
    buf_.resize(old);
    // Where in the (decompressed) content the source failed.
    int64_t at = offset_ + static_cast<int64_t>(old - pos_);
    return Error{n.error().kind,
                 n.error().message + ", at offset " + std::to_string(at) + " of its content"};
  }
  buf_.resize(old + *n);
  if (*n == 0) eof_ = true;
  return *n > 0;
}

Result<std::string_view> InputBuffer::peek_line(size_t max) {
  size_t scanned = 0;
  while (true) {
    std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
    size_t nl = avail.find('\n', scanned);
    if (nl != std::string_view::npos) {
      if (nl + 1 > max) break;
      return avail.substr(0, nl + 1);
    }
    scanned = avail.size();
    if (avail.size() > max) break;
    MOX_ASSIGN(bool more, fill());
    if (!more) return std::string_view(buf_.data() + pos_, buf_.size() - pos_);
  }
  return syntax_error(src_.name() + ": line " + std::to_string(line_) + " (offset " +
                      std::to_string(offset_) + ") is longer than " + std::to_string(max) +
                      " bytes");
}

Result<std::string_view> InputBuffer::peek(size_t n) {
  while (buf_.size() - pos_ < n) {
    MOX_ASSIGN(bool more, fill());
    if (!more) break;
  }
  return std::string_view(buf_.data() + pos_, std::min(n, buf_.size() - pos_));
}

void InputBuffer::consume(size_t n) {
  n = std::min(n, buf_.size() - pos_);
  line_ += std::count(buf_.data() + pos_, buf_.data() + pos_ + n, '\n');
  offset_ += static_cast<int64_t>(n);
  pos_ += n;
}

bool InputBuffer::at_end() { return pos_ >= buf_.size() && eof_; }

}  // namespace mox::mailio
