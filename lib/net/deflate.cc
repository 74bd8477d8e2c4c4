// Deflate over zlib (zlib.h): raw deflate both ways, sync flush per batch.
#include "net/deflate.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

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
  std::string spill;      // inflated bytes the caller had no room for
  size_t spill_pos = 0;
  bool maybe_more = false;  // zlib filled `spill`: it may hold more
  bool ended = false;
  std::optional<Error> error;
  static constexpr size_t kSpill = 16 * 1024;
  Result<size_t> run(char* buf, size_t n);
  void probe();
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

// One inflate() call of zlib from the queued input into `buf`.
Result<size_t> Deflate::Streams::run(char* buf, size_t n) {
  z_stream& z = in;
  z.next_in = reinterpret_cast<Bytef*>(queued.data() + queued_pos);
  z.avail_in = static_cast<uInt>(std::min<size_t>(queued.size() - queued_pos, UINT_MAX));
  z.next_out = reinterpret_cast<Bytef*>(buf);
  z.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
  uInt in_before = z.avail_in, room = z.avail_out;
  int r = ::inflate(&z, Z_SYNC_FLUSH);
  queued_pos += in_before - z.avail_in;
  if (queued_pos == queued.size()) {
    queued.clear();
    queued_pos = 0;
  }
  ended = r == Z_STREAM_END;
  if (r == Z_OK || r == Z_BUF_ERROR || r == Z_STREAM_END) return size_t{room - z.avail_out};
  return Error{ErrorKind::kPermanent,
               std::string("inflate: invalid compressed data: ") + (z.msg ? z.msg : "")};
}

// After zlib filled a caller's buffer it may hold more: inflate a little
// into `spill` now, so that has_output() is exact (IDLE must not wait for
// the socket while inflated bytes are pending, nor read a socket that has
// nothing). An error is kept for the next inflate().
void Deflate::Streams::probe() {
  spill.resize(kSpill);
  spill_pos = 0;
  auto got = run(spill.data(), spill.size());
  if (!got) {
    spill.clear();
    error = got.error();
    return;
  }
  spill.resize(*got);
  maybe_more = *got == kSpill && !ended;
}

Result<size_t> Deflate::inflate(char* buf, size_t n) {
  if (n == 0) return user_error("inflate: empty buffer");
  Streams& s = *s_;
  if (s.error) return *s.error;
  if (s.spill_pos < s.spill.size()) {
    size_t k = std::min(n, s.spill.size() - s.spill_pos);
    std::memcpy(buf, s.spill.data() + s.spill_pos, k);
    s.spill_pos += k;
    if (s.spill_pos == s.spill.size()) {
      s.spill.clear();
      s.spill_pos = 0;
      if (s.maybe_more) s.probe();
    }
    return k;
  }
  if (s.ended) return size_t{0};
  MOX_ASSIGN(size_t got, s.run(buf, n));
  if (got == n && !s.ended) s.probe();
  return got;
}

bool Deflate::has_output() const {
  return s_->spill_pos < s_->spill.size() || s_->error.has_value();
}

bool Deflate::ended() const { return s_->ended && !has_output(); }

}  // namespace mox::net
