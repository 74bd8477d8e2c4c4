// Deflate: the compression of one connection's bytes in both directions, as
// IMAP COMPRESS=DEFLATE uses it (RFC 4978 §4: raw deflate, RFC 1951, without
// the zlib header; windowBits -15). I/O-free: Conn (net/conn.h) puts it
// between its callers and the socket or TLS once start_compress() is called.
//
// Output: compress() deflates a batch of the writer's bytes and ends it with
// a sync flush (Z_SYNC_FLUSH), so the peer can inflate all of it at once and
// no response waits in the compressor (RFC 4978 §6).
//
// Input: feed() queues compressed bytes; inflate() gives at most `n` of the
// inflated bytes per call. Memory stays bounded whatever the compression
// ratio: the input queue holds one feed() (the caller feeds only when
// has_output() is false, and then zlib has used all queued input), the
// inflated bytes never exceed the caller's buffer plus a 16 KB spill, so a
// decompression bomb reaches the protocol code in pieces that its own
// limits (line and literal sizes) judge. zlib's state is about 256 KB for
// the compressor (windowBits 15, memLevel 8) and 44 KB for the
// decompressor (zlib.h "deflateInit2", "inflateInit2").
//
// Not thread-safe; movable (the zlib streams live on the heap).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::net {

class Deflate {
 public:
  // kInternal when zlib cannot allocate its state.
  static Result<Deflate> make();
  Deflate(Deflate&&) noexcept;
  Deflate& operator=(Deflate&&) noexcept;
  ~Deflate();

  // `data` deflated and sync-flushed: inflating the result gives all of
  // `data` (empty in, empty out).
  Result<std::string> compress(std::string_view data);

  // Queues compressed bytes from the peer. Call it only when has_output()
  // is false, so the queue never holds more than one feed.
  void feed(std::string_view compressed);
  // Inflates up to `n` (> 0) bytes into `buf`. 0: the queued input is used up
  // (feed more), or the peer ended its deflate stream (ended()). kPermanent
  // for input that is not a valid deflate stream.
  Result<size_t> inflate(char* buf, size_t n);
  // Exactly when the next inflate() gives bytes without more input (or an
  // error): what a poll of the socket would not see.
  bool has_output() const;
  // The peer ended its deflate stream (BFINAL) and all was read.
  bool ended() const;

 private:
  struct Streams;
  explicit Deflate(std::unique_ptr<Streams> s);
  std::unique_ptr<Streams> s_;
};

}  // namespace mox::net
