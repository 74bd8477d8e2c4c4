// Byte sources for the mail file readers: a plain file, standard input, or a
// gzip (RFC 1952, zlib) or Zstandard (RFC 8878, libzstd) stream of either,
// behind one interface, so that the mbox reader (mailio/mboxread.h) takes
// them all alike. Compression is recognized by the stream's magic number
// (1f 8b for gzip, 28 b5 2f fd for zstd), not by the file name, so "-" may
// be compressed too. A compressed stream that ends before its end marker is
// an error ("truncated"), not a short file. Concatenated gzip members are
// read one after the other, as gzip(1) does.
//
// Memory is bounded: a source holds one read buffer (64 KiB) and the
// decompressor's state, whatever the size of the input.
//
// Not thread-safe; one reader at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/result.h"

namespace mox::mailio {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `buf`; 0 at the end of the stream. Errors name the
  // source (kInternal for I/O, kSyntax for a corrupt or truncated stream).
  virtual Result<size_t> read(char* buf, size_t n) = 0;
  // What errors call the source: the path, or "stdin".
  virtual const std::string& name() const = 0;
};

// Opens `path` ("-": standard input, not closed) and, when its first bytes
// are a gzip or zstd magic number, decompresses it.
Result<std::unique_ptr<ByteSource>> open_source(const std::string& path);

// A source over bytes in memory (tests, fuzzing); `data` must outlive it.
std::unique_ptr<ByteSource> memory_source(std::string_view data, std::string name = "memory");

// How the source was compressed, for the messages of the import.
enum class Compression { kNone, kGzip, kZstd };
Compression detect_compression(std::string_view first_bytes);

}  // namespace mox::mailio
