// Tests for lib/dkim/keycache.h: a key decoded once is handed out again
// (the same EVP_PKEY), different bytes give different keys, errors are not
// kept, and the cache stays within its size.
#include <gtest/gtest.h>

#include "dkim/dnsrecord.h"
#include "dkim/keycache.h"

namespace mox::dkim {
namespace {

KeyRecord record_of(EVP_PKEY* key) {
  auto txt = txt_record_value(key);
  EXPECT_TRUE(txt.ok());
  auto r = parse_key_record(*txt);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(KeyCache, SameBytesSameKey) {
  auto k1 = crypto::generate_rsa(1024);
  auto k2 = crypto::generate_ed25519();
  ASSERT_TRUE(k1.ok() && k2.ok());
  KeyRecord r1 = record_of(k1->get()), r2 = record_of(k2->get());
  KeyCache cache;
  auto a = cache.public_key(r1), b = cache.public_key(r1), c = cache.public_key(r2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ(EVP_PKEY_eq(a->get(), k1->get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(c->get(), k2->get()), 1);
}

TEST(KeyCache, ErrorsAreNotKeptAndSizeIsBounded) {
  KeyCache cache(2);
  KeyRecord bad;
  bad.public_key = "not a key";
  EXPECT_FALSE(cache.public_key(bad).ok());
  EXPECT_FALSE(cache.public_key(bad).ok());
  std::vector<KeyRecord> recs;
  for (int i = 0; i < 3; ++i) {
    auto k = crypto::generate_ed25519();
    ASSERT_TRUE(k.ok());
    recs.push_back(record_of(k->get()));
  }
  auto first = cache.public_key(recs[0]);
  ASSERT_TRUE(first.ok());
  EVP_PKEY* first_ptr = first->get();
  ASSERT_TRUE(cache.public_key(recs[1]).ok());
  ASSERT_TRUE(cache.public_key(recs[2]).ok());  // drops recs[0]
  auto again = cache.public_key(recs[0]);
  ASSERT_TRUE(again.ok());
  // Decoded anew (the old key is still alive through `first`).
  EXPECT_NE(again->get(), first_ptr);
  EXPECT_EQ(EVP_PKEY_eq(again->get(), first_ptr), 1);
}

}  // namespace
}  // namespace mox::dkim
