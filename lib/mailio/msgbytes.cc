#include "mailio/msgbytes.h"

#include <unistd.h>

#include <cerrno>

#include "util/fs.h"

namespace mox::mailio {

bool crlf_only_chunk(std::string_view chunk, char& prev) {
  for (char c : chunk) {
    if (c == '\n' && prev != '\r') return false;
    if (prev == '\r' && c != '\n') return false;
    prev = c;
  }
  return true;
}

bool crlf_only(std::string_view data) {
  char prev = '\0';
  return crlf_only_chunk(data, prev) && crlf_only_end(prev);
}

Result<size_t> MessageBytes::read_at(int64_t offset, char* buf, size_t n) const {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, buf + got, n - got, offset + static_cast<int64_t>(got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return os_error("read " + name_, errno);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Result<std::string_view> MessageBytes::head() {
  if (!loaded_) {
    head_.resize(kChunk);
    MOX_ASSIGN(size_t n, read_at(0, head_.data(), kChunk));
    head_.resize(n);
    whole_ = n < kChunk;
    loaded_ = true;
  }
  return std::string_view(head_);
}

Result<bool> MessageBytes::crlf_only() {
  char prev = '\0';
  bool ok = true;
  MOX_TRY(each([&](std::string_view chunk) -> Status {
    if (ok) ok = crlf_only_chunk(chunk, prev);
    return {};
  }));
  return ok && crlf_only_end(prev);
}

Status MessageBytes::each(const std::function<Status(std::string_view)>& fn) {
  MOX_ASSIGN(std::string_view first, head());
  if (whole_) return first.empty() ? Status() : fn(first);
  MOX_TRY(fn(first));
  std::string buf(kChunk, '\0');
  int64_t offset = static_cast<int64_t>(first.size());
  while (true) {
    MOX_ASSIGN(size_t n, read_at(offset, buf.data(), kChunk));
    if (n == 0) return {};
    MOX_TRY(fn(std::string_view(buf.data(), n)));
    offset += static_cast<int64_t>(n);
  }
}

}  // namespace mox::mailio
