#include "mailio/source.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

constexpr size_t kBufSize = 1 << 16;

// A file descriptor, with the bytes read to detect the compression given
// back first.
class FdSource : public ByteSource {
 public:
  FdSource(UniqueFd owned, int fd, std::string name)
      : owned_(std::move(owned)), fd_(fd), name_(std::move(name)) {}
  Result<size_t> read(char* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    while (true) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return os_error("read " + name_, errno);
    }
  }
  const std::string& name() const override { return name_; }
  // Reads up to 4 bytes to be given back by read().
  Status fill_head() {
    char b[4];
    size_t got = 0;
    while (got < sizeof b) {
      MOX_ASSIGN(size_t r, read(b + got, sizeof b - got));
      if (r == 0) break;
      got += r;
    }
    head_.assign(b, got);
    pos_ = 0;
    return {};
  }
  std::string_view head() const { return head_; }

 private:
  UniqueFd owned_;
  int fd_;
  std::string name_;
  std::string head_;
  size_t pos_ = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(std::string_view data, std::string name) : data_(data), name_(std::move(name)) {}
  Result<size_t> read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size());
    std::memcpy(buf, data_.data(), k);
    data_.remove_prefix(k);
    return k;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  std::string name_;
};

// Common to the decompressors: the compressed input, refilled from `inner`.
class Decompressor : public ByteSource {
 public:
  explicit Decompressor(std::unique_ptr<ByteSource> inner)
      : inner_(std::move(inner)), in_(kBufSize) {}
  const std::string& name() const override { return inner_->name(); }

 protected:
  // Refills the input when it is used up; false at the end of the input.
  Result<bool> refill() {
    if (in_pos_ < in_len_) return true;
    MOX_ASSIGN(size_t n, inner_->read(in_.data(), in_.size()));
    in_pos_ = 0;
    in_len_ = n;
    return n > 0;
  }
  Error truncated(const char* what) const {
    return syntax_error(name() + ": " + what + " stream is truncated (ends before its end mark)");
  }
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
};

class GzipSource : public Decompressor {
 public:
  using Decompressor::Decompressor;
  ~GzipSource() override {
    if (init_) inflateEnd(&z_);
  }
  Status init() {
    // 15 + 32: a window of 32 KiB, and a gzip (or zlib) header expected.
    if (inflateInit2(&z_, 15 + 32) != Z_OK) return internal_error("inflateInit2 failed");
    init_ = true;
    return {};
  }
  Result<size_t> read(char* buf, size_t n) override {
    while (true) {
      if (ended_) {
        // After a member: another one follows, or the input ends.
        MOX_ASSIGN(bool more, refill());
        if (!more) return size_t{0};
        if (inflateReset(&z_) != Z_OK) return internal_error("inflateReset failed");
        ended_ = false;
      }
      MOX_ASSIGN(bool more, refill());
      if (!more) return truncated("gzip");
      z_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      z_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
      int rc = inflate(&z_, Z_NO_FLUSH);
      in_pos_ = in_len_ - z_.avail_in;
      size_t out = static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - buf);
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return syntax_error(name() + ": corrupt gzip stream: " + (z_.msg ? z_.msg : "inflate"));
      }
      if (out > 0) return out;
    }
  }

 private:
  z_stream z_{};
  bool init_ = false;
  bool ended_ = false;
};

class ZstdSource : public Decompressor {
 public:
  using Decompressor::Decompressor;
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }
  Status init() {
    ds_ = ZSTD_createDStream();
    if (!ds_) return internal_error("ZSTD_createDStream failed");
    return {};
  }
  Result<size_t> read(char* buf, size_t n) override {
    while (true) {
      MOX_ASSIGN(bool more, refill());
      if (!more && frame_done_) return size_t{0};
      ZSTD_inBuffer in{in_.data() + in_pos_, in_len_ - in_pos_, 0};
      ZSTD_outBuffer out{buf, n, 0};
      size_t rc = ZSTD_decompressStream(ds_, &out, &in);
      in_pos_ += in.pos;
      if (ZSTD_isError(rc))
        return syntax_error(name() + ": corrupt zstd stream: " + ZSTD_getErrorName(rc));
      frame_done_ = rc == 0;
      if (out.pos > 0) return out.pos;
      // Nothing came out of what was left: without more input, it is cut.
      if (!more) return truncated("zstd");
    }
  }

 private:
  ZSTD_DStream* ds_ = nullptr;
  bool frame_done_ = true;
};

}  // namespace

Compression detect_compression(std::string_view b) {
  if (b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b') return Compression::kGzip;
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4))
    return Compression::kZstd;
  return Compression::kNone;
}

Result<std::unique_ptr<ByteSource>> open_source(const std::string& path) {
  std::unique_ptr<FdSource> fd;
  if (path == "-") {
    fd = std::make_unique<FdSource>(UniqueFd(), 0, "stdin");
  } else {
    UniqueFd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f.valid()) return os_error("open " + path, errno);
    int raw = f.get();
    fd = std::make_unique<FdSource>(std::move(f), raw, path);
  }
  MOX_TRY(fd->fill_head());
  switch (detect_compression(fd->head())) {
    case Compression::kGzip: {
      auto gz = std::make_unique<GzipSource>(std::move(fd));
      MOX_TRY(gz->init());
      return std::unique_ptr<ByteSource>(std::move(gz));
    }
    case Compression::kZstd: {
      auto zs = std::make_unique<ZstdSource>(std::move(fd));
      MOX_TRY(zs->init());
      return std::unique_ptr<ByteSource>(std::move(zs));
    }
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<ByteSource>(std::move(fd));
}

std::unique_ptr<ByteSource> memory_source(std::string_view data, std::string name) {
  return std::make_unique<MemorySource>(data, std::move(name));
}

}  // namespace mox::mailio
