// Tests for DeliverRequest::parsed (store/deliver.h) and store/kept.h: a
// message that the caller parsed is not parsed again, neither for its FETCH
// forms nor by the indexer; the store falls back to the file when the
// structure is not of the bytes written; the memory kept is bounded.
//
// The proof that the structure is used: it is of other bytes than the
// message's, of the same length (Subject "bbbb" where the bytes say
// "aaaa"), so what the store renders or indexes tells which it read.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "message/parsed.h"
#include "store/kept.h"
#include "store/parsed.h"
#include "store/shared.h"
#include "store_test_util.h"

namespace mox::store {
namespace {

using testutil::TempDir;

const std::string kPrefix = "Received: test\r\n";
const std::string kMessage = "Subject: aaaa\r\n\r\nhello world\r\n";
const std::string kOther = "Subject: bbbb\r\n\r\nhello world\r\n";

DeliverRequest request_with_structure_of(const std::string& other) {
  DeliverRequest req;
  req.prefix = kPrefix;
  req.source_data = kMessage;
  req.parsed = std::make_shared<const message::Parsed>(message::parse(kPrefix + other));
  return req;
}

std::string envelope_of(AccountStore& st, int64_t id) {
  auto f = fetch_forms(st, {id});
  EXPECT_TRUE(f.ok());
  return f.ok() ? (*f)[0].envelope : std::string();
}

std::string headers_text(AccountStore& st, int64_t id) {
  auto h = SearchTextReader(st).headers(id);
  EXPECT_TRUE(h.ok());
  return h.ok() ? *h : std::string();
}

TEST(DeliverParsed, SharedAccountRendersAndIndexesFromTheStructure) {
  TempDir tmp;
  std::string dir = tmp.path() + "/a";
  auto acc = SharedAccount::open(dir);
  ASSERT_TRUE(acc.ok());
  auto d = (*acc)->deliver(request_with_structure_of(kOther));
  ASSERT_TRUE(d.ok()) << d.error().message;
  for (int i = 0; i < 500 && (*acc)->index_backlog() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  acc->reset();  // indexes what still waits
  auto st = AccountStore::open(dir, false);
  ASSERT_TRUE(st.ok());
  EXPECT_NE(envelope_of(*st, d->id).find("bbbb"), std::string::npos);
  std::string h = headers_text(*st, d->id);
  EXPECT_NE(h.find("subject: bbbb"), std::string::npos) << h;
  EXPECT_NE(h.find("received: test"), std::string::npos) << h;
}

TEST(DeliverParsed, AStructureOfOtherSizeIsNotUsed) {
  TempDir tmp;
  std::string dir = tmp.path() + "/a";
  auto acc = SharedAccount::open(dir);
  ASSERT_TRUE(acc.ok());
  auto d = (*acc)->deliver(request_with_structure_of("Subject: b\r\n\r\nhello world\r\n"));
  ASSERT_TRUE(d.ok()) << d.error().message;
  acc->reset();
  auto st = AccountStore::open(dir, false);
  ASSERT_TRUE(st.ok());
  EXPECT_NE(envelope_of(*st, d->id).find("aaaa"), std::string::npos);
  EXPECT_NE(headers_text(*st, d->id).find("subject: aaaa"), std::string::npos);
}

TEST(DeliverParsed, DeliverUsesTheStructureToo) {
  TempDir tmp;
  auto st = AccountStore::open(tmp.path() + "/a", true);
  ASSERT_TRUE(st.ok());
  auto d = deliver(*st, request_with_structure_of(kOther));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_NE(envelope_of(*st, d->id).find("bbbb"), std::string::npos);
  EXPECT_NE(headers_text(*st, d->id).find("subject: bbbb"), std::string::npos);
}

TEST(KeptMessages, KeepsSmallParsedMessagesInMemoryWithinTheBound) {
  KeptMessages kept;
  DeliverRequest req = request_with_structure_of(kMessage);
  kept.keep(1, req);
  EXPECT_EQ(kept.bytes(), kPrefix.size() + kMessage.size());
  auto k = kept.take(1);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->bytes, kPrefix + kMessage);
  EXPECT_EQ(kept.take(1), nullptr);
  EXPECT_EQ(kept.bytes(), 0u);

  // Not kept: without a structure, from a file, or too large.
  DeliverRequest plain = req;
  plain.parsed = nullptr;
  kept.keep(2, plain);
  DeliverRequest file = req;
  file.source_data = std::nullopt;
  file.source_fd = 0;
  kept.keep(3, file);
  std::string big = "Subject: x\r\n\r\n" + std::string(KeptMessages::kMaxMessage, 'x');
  DeliverRequest large;
  large.source_data = big;
  large.parsed = std::make_shared<const message::Parsed>(message::parse(big));
  kept.keep(4, large);
  EXPECT_EQ(kept.bytes(), 0u);

  // The total is bounded: past it, messages are left to the file.
  std::string mid = "Subject: x\r\n\r\n" + std::string(KeptMessages::kMaxMessage / 2, 'x');
  DeliverRequest m;
  m.source_data = mid;
  m.parsed = std::make_shared<const message::Parsed>(message::parse(mid));
  int64_t n = 0;
  for (; n < 1000; ++n) kept.keep(100 + n, m);
  EXPECT_LE(kept.bytes(), KeptMessages::kMaxTotal);
  EXPECT_GT(kept.bytes(), KeptMessages::kMaxTotal - mid.size());
  EXPECT_EQ(kept.take(100 + n - 1), nullptr);
}

}  // namespace
}  // namespace mox::store
