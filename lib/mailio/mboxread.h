// Reading an mbox file one message at a time (RFC 4155; the variants as
// mutt, Thunderbird, Postfix and Dovecot write them). Memory holds one
// message and the look-ahead of the input buffer, never the file.
//
// The file must start with a "From " line. A message runs from its "From "
// line to the next "From " line that starts a message, or the end:
// - Content-Length (mboxcl, mboxcl2): when the header has one and the body
//   of that many bytes ends exactly at the end of the input, at the next
//   "From " line, or at an empty line before it, the length is trusted:
//   the body is taken as it is (no ">From " unquoting: mboxcl2 quotes
//   nothing; an mboxcl file's quoted lines stay quoted) and the field is
//   removed. A Content-Length past the end of the input is an error (a
//   truncated file); one that points elsewhere is ignored, and:
// - otherwise (mboxo, mboxrd) a line that begins with "From " starts the
//   next message when the line before it is empty or its date parses
//   (mailio/fromline.h), and lines of the form ">From ", ">>From ", ... lose
//   one '>' (mboxrd unquoting; for mboxo this also unquotes lines that were
//   ">From " in the original, as most readers do).
// The empty line before a "From " line (and at the end of the file) is the
// separator, not part of the message. Line ends become CRLF
// (mailio/lineend.h). The "From " line's date is the INTERNALDATE; the flag
// fields of mailio/mboxflags.h become IMAP flags and are removed.
//
// Errors (kSyntax) name the source and the line and byte offset: a file
// that does not start with "From ", a message without a header field, a
// Content-Length past the end, a message over the size limit, and the
// source's own errors (a compressed stream cut short).
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mailio/inputbuf.h"
#include "mailio/source.h"
#include "util/result.h"

namespace mox::mailio {

struct MboxMessage {
  std::string data;                // the message as stored: CRLF, flag fields removed
  std::vector<std::string> flags;  // IMAP flag names and keywords
  int64_t received = 0;            // the "From " line's date; 0: none
  int64_t offset = 0, line = 0;    // where its "From " line starts (line from 1)
};

class MboxReader {
 public:
  static constexpr size_t kDefaultMaxMessage = size_t{1} << 30;
  explicit MboxReader(std::unique_ptr<ByteSource> src, size_t max_message = kDefaultMaxMessage)
      : src_(std::move(src)), in_(*src_), max_(max_message) {}

  // The next message, nullopt after the last.
  Result<std::optional<MboxMessage>> next();
  const std::string& name() const { return src_->name(); }

 private:
  struct Header;
  Error error_at(int64_t line, int64_t offset, const std::string& what) const;
  Result<Header> read_header(MboxMessage& m);
  // The body when the header's Content-Length frames it; nullopt if not.
  Result<std::optional<std::string>> framed_body(const MboxMessage& m, int64_t length);
  Result<std::string> body_to_separator(const MboxMessage& m);
  // Whether `line` starts the next message, `prev_empty` the line before it.
  static bool starts_message(std::string_view line, bool prev_empty);

  std::unique_ptr<ByteSource> src_;
  InputBuffer in_;
  size_t max_;
  bool started_ = false;
};

}  // namespace mox::mailio
