// Tests for lib/net/deflate.h and Conn::start_compress (net/conn.h): raw
// deflate both ways with a sync flush per batch, bounded inflation of a
// decompression bomb, invalid input, and a compressed socket pair.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "net/conn.h"
#include "net/deflate.h"
#include "net_test_util.h"

namespace mox::net {
namespace {

using namespace std::chrono_literals;
using mox::testing::read_n;
using mox::testing::socket_pair;

// All that `d` inflates from what was fed, in pieces of at most `n`.
std::string inflate_all(Deflate& d, size_t n) {
  std::string out, buf(n, '\0');
  while (true) {
    auto got = d.inflate(buf.data(), buf.size());
    EXPECT_TRUE(got.ok());
    if (!got || *got == 0) break;
    EXPECT_LE(*got, n);
    out.append(buf.data(), *got);
  }
  EXPECT_FALSE(d.has_output());
  return out;
}

// `msg` compressed by zlib itself with windowBits -15, ended with `flush`.
std::string zlib_raw(std::string msg, int flush) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(msg.size() + 256, '\0');
  z.next_in = reinterpret_cast<Bytef*>(msg.data());
  z.avail_in = static_cast<uInt>(msg.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int r = deflate(&z, flush);
  EXPECT_TRUE(r == Z_OK || r == Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

TEST(DeflateTest, RoundTripWithSyncFlush) {
  auto a = Deflate::make();
  auto b = Deflate::make();
  ASSERT_TRUE(a.ok() && b.ok());
  for (std::string msg : {std::string("* OK hello\r\n"), std::string("a1 OK done\r\n"),
                          std::string(100000, 'x') + "\r\n"}) {
    auto z = a->compress(msg);
    ASSERT_TRUE(z.ok());
    // RFC 4978 §6: every batch ends in a sync flush, 00 00 ff ff.
    ASSERT_GE(z->size(), 4u);
    EXPECT_EQ(z->substr(z->size() - 4), std::string("\0\0\xff\xff", 4));
    b->feed(*z);
    EXPECT_EQ(inflate_all(*b, 4096), msg);  // all of it, at once
  }
  EXPECT_TRUE(a->compress("")->empty());
}

// What zlib makes with windowBits -15 (as a client such as Python's
// zlib.compressobj(wbits=-15) does) is what Deflate reads.
TEST(DeflateTest, ReadsZlibRawDeflate) {
  std::string msg = "a2 NOOP\r\n";
  std::string out = zlib_raw(msg, Z_SYNC_FLUSH);
  auto d = Deflate::make();
  d->feed(out.substr(0, 3));  // in two parts
  std::string got = inflate_all(*d, 64);
  d->feed(out.substr(3));
  got += inflate_all(*d, 64);
  EXPECT_EQ(got, msg);
}

// A decompression bomb: 64 MB of one byte in about 64 KB. Each inflate()
// gives at most the caller's buffer, and the queue holds one feed.
TEST(DeflateTest, BombInflatesInBoundedPieces) {
  auto a = Deflate::make();
  auto b = Deflate::make();
  auto z = a->compress(std::string(64 << 20, 'a'));
  ASSERT_TRUE(z.ok());
  EXPECT_LT(z->size(), 1u << 20);
  b->feed(*z);
  size_t total = 0, largest = 0;
  std::string buf(64 * 1024, '\0');
  while (true) {
    auto got = b->inflate(buf.data(), buf.size());
    ASSERT_TRUE(got.ok());
    if (*got == 0) break;
    largest = std::max(largest, *got);
    total += *got;
  }
  EXPECT_EQ(total, size_t{64} << 20);
  EXPECT_EQ(largest, buf.size());
}

// has_output() is exact: true only when inflate() has bytes without more
// input (IDLE polls the socket otherwise).
TEST(DeflateTest, HasOutputIsExact) {
  auto a = Deflate::make();
  auto b = Deflate::make();
  b->feed(*a->compress("abc"));
  EXPECT_FALSE(b->has_output());  // fed, not yet inflated
  char buf[3];
  EXPECT_EQ(*b->inflate(buf, 3), 3u);
  EXPECT_FALSE(b->has_output());  // exactly used up
  EXPECT_EQ(*b->inflate(buf, 3), 0u);
  b->feed(*a->compress(std::string(40000, 'q')));
  EXPECT_EQ(*b->inflate(buf, 3), 3u);
  EXPECT_TRUE(b->has_output());  // more than the buffer and the spill
  EXPECT_EQ(inflate_all(*b, 1000).size(), 40000u - 3);
}

TEST(DeflateTest, InvalidInputIsAnError) {
  auto d = Deflate::make();
  d->feed(std::string("\xff\xff\xff\xff\xff\xff", 6));
  char buf[64];
  auto got = d->inflate(buf, sizeof buf);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::kPermanent);
}

TEST(DeflateTest, StreamEndIsEndOfInput) {
  // A final block (BFINAL) ends the peer's stream: no more input.
  std::string msg = "bye\r\n";
  std::string zz = zlib_raw(msg, Z_FINISH);
  auto d = Deflate::make();
  d->feed(zz);
  EXPECT_EQ(inflate_all(*d, 2), msg);
  EXPECT_TRUE(d->ended());
}

TEST(DeflateTest, CompressedConnPair) {
  auto p = socket_pair();
  ASSERT_TRUE(p.client.start_compress().ok());
  ASSERT_TRUE(p.server.start_compress().ok());
  EXPECT_FALSE(p.server.start_compress().ok());  // once
  EXPECT_TRUE(p.server.compressing());
  ASSERT_TRUE(p.client.write_all("a NOOP\r\n", 1s).ok());
  EXPECT_EQ(read_n(p.server, 8), "a NOOP\r\n");
  std::string big(1 << 20, 'y');
  std::thread t([&] { ASSERT_TRUE(p.server.write_all(big, 5s).ok()); });
  EXPECT_EQ(read_n(p.client, big.size()), big);
  t.join();
  // Inflated bytes the reader had no room for count as buffered input
  // (what IDLE's poll would not see).
  ASSERT_TRUE(p.client.write_all(std::string(1000, 'z'), 1s).ok());
  char small[10];
  auto got = p.server.read_some(small, sizeof small, 1s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, sizeof small);
  EXPECT_TRUE(p.server.has_buffered_input());
}

}  // namespace
}  // namespace mox::net
