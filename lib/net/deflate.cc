// Deflate over zlib (zlib.h): raw deflate both ways, sync flush per batch.
#include "net/deflate.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace mox::net {
namespace {

constexpr int kRawDeflate = -15;  // RFC 4978 §4: no zlib header, 32 KB window
constexpr int kMemLevel = 8;      // zlib's default

}  // namespace

// The z_streams hold pointers to themselves (zlib checks strm->state->strm),
// so they never move: Deflate owns them through a pointer.
struct Deflate::Streams {
  z_stream out{}, in{};
  bool out_ok = false, in_ok = false;
  std::string queued;     // compressed input not yet given to zlib
  size_t queued_pos = 0;  // bytes of `queued` zlib has consumed
  bool out_full = false;  // the last inflate() filled its buffer
  bool ended = false;
  ~Streams() {
    if (out_ok) deflateEnd(&out);
    if (in_ok) inflateEnd(&in);
  }
};

Deflate::Deflate(std::unique_ptr<Streams> s) : s_(std::move(s)) {}
Deflate::Deflate(Deflate&&) noexcept = default;
Deflate& Deflate::operator=(Deflate&&) noexcept = default;
Deflate::~Deflate() = default;

Result<Deflate> Deflate::make() {
  auto s = std::make_unique<Streams>();
  s->out_ok = deflateInit2(&s->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflate, kMemLevel,
                           Z_DEFAULT_STRATEGY) == Z_OK;
  if (!s->out_ok) return internal_error("deflateInit2 failed");
  s->in_ok = inflateInit2(&s->in, kRawDeflate) == Z_OK;
  if (!s->in_ok) return internal_error("inflateInit2 failed");
  return Deflate(std::move(s));
}

Result<std::string> Deflate::compress(std::string_view data) {
  std::string out;
  if (data.empty()) return out;
  z_stream& z = s_->out;
  // Bytes are handed to zlib in pieces of at most 1 GB (uInt counts).
  while (true) {
    size_t piece = std::min<size_t>(data.size(), 1u << 30);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(piece);
    bool last = piece == data.size();
    int flush = last ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    do {
      size_t have = out.size();
      size_t room = deflateBound(&z, z.avail_in) + 16;
      out.resize(have + room);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + have);
      z.avail_out = static_cast<uInt>(room);
      int r = deflate(&z, flush);
      out.resize(have + room - z.avail_out);
      if (r != Z_OK && r != Z_BUF_ERROR) return internal_error("deflate failed");
    } while (z.avail_out == 0 || z.avail_in > 0);
    data.remove_prefix(piece);
    if (last) return out;
  }
}

void Deflate::feed(std::string_view compressed) {
  s_->queued.erase(0, s_->queued_pos);
  s_->queued_pos = 0;
  s_->queued.append(compressed);
}

Result<size_t> Deflate::inflate(char* buf, size_t n) {
  if (n == 0) return user_error("inflate: empty buffer");
  Streams& s = *s_;
  if (s.ended) return size_t{0};
  z_stream& z = s.in;
  z.next_in = reinterpret_cast<Bytef*>(s.queued.data() + s.queued_pos);
  z.avail_in = static_cast<uInt>(std::min<size_t>(s.queued.size() - s.queued_pos, UINT_MAX));
  z.next_out = reinterpret_cast<Bytef*>(buf);
  z.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
  uInt in_before = z.avail_in, room = z.avail_out;
  int r = ::inflate(&z, Z_SYNC_FLUSH);
  s.queued_pos += in_before - z.avail_in;
  if (s.queued_pos == s.queued.size()) {
    s.queued.clear();
    s.queued_pos = 0;
  }
  size_t got = room - z.avail_out;
  s.out_full = z.avail_out == 0;
  if (r == Z_STREAM_END) {
    s.ended = true;
    return got;
  }
  if (r == Z_OK || r == Z_BUF_ERROR) return got;  // Z_BUF_ERROR: no progress possible
  return Error{ErrorKind::kPermanent,
               std::string("inflate: invalid compressed data: ") + (z.msg ? z.msg : "")};
}

bool Deflate::has_output() const {
  return !s_->ended && (s_->queued_pos < s_->queued.size() || s_->out_full);
}

bool Deflate::ended() const { return s_->ended; }

}  // namespace mox::net
