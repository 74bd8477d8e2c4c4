// The bytes of one stored message file, read for export (mailio/mboxwrite.h,
// mailio/maildirwrite.h), and the line-end rule of export and import.
//
// Line ends (docs/DESIGN.md "Import and export"): the store keeps messages as
// they came, normally with CRLF line ends (RFC 5322 §2.1); mbox files and
// Maildir files as other tools write them have LF. A message whose line ends
// are all CRLF (every CR followed by LF, every LF preceded by CR) is written
// with LF line ends (its CRs dropped); any other message (a bare CR or LF
// somewhere) is written as stored. Import makes every LF without a CR before
// it CRLF (mailio/lineend.h), so a message with CRLF line ends comes back
// byte for byte; one stored with a bare LF comes back with CRLF there.
//
// Memory is bounded: a file of up to kChunk bytes is read once and kept;
// a larger one is read twice (its line ends, then its bytes), a chunk at a
// time. Not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::mailio {

// Whether `chunk`, following bytes whose last was `prev` ('\0' at the
// start), keeps the CRLF-only rule above; updates `prev`. At the end of the
// message, a `prev` of '\r' breaks the rule too (crlf_only_end()).
bool crlf_only_chunk(std::string_view chunk, char& prev);
inline bool crlf_only_end(char prev) { return prev != '\r'; }
// The whole rule over bytes in memory.
bool crlf_only(std::string_view data);

class MessageBytes {
 public:
  static constexpr size_t kChunk = 64 * 1024;

  // `fd`: a regular file open for reading, not owned, read from offset 0
  // with pread (its offset is not used); `name` for errors.
  MessageBytes(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

  // The first kChunk bytes (all of a smaller file): where the header is.
  Result<std::string_view> head();
  // Whether the message keeps the CRLF-only rule.
  Result<bool> crlf_only();
  // Calls `fn` with the message's bytes in order, kChunk at a time at most.
  Status each(const std::function<Status(std::string_view)>& fn);

 private:
  Result<size_t> read_at(int64_t offset, char* buf, size_t n) const;

  int fd_;
  std::string name_;
  std::string head_;
  bool loaded_ = false, whole_ = false;
};

}  // namespace mox::mailio
