// Tests for lib/dkim/dnsrecord.h.
#include <gtest/gtest.h>

#include <string>

#include "crypto/keys.h"
#include "dkim/dnsrecord.h"
#include "util/encoding.h"

namespace mox::dkim {
namespace {

std::string p_tag(const std::string& record) {
  size_t p = record.find("; p=");
  return p == std::string::npos ? std::string() : record.substr(p + 4);
}

TEST(DkimDnsRecord, Rsa) {
  auto key = crypto::generate_rsa(2048);
  ASSERT_TRUE(key.ok());
  auto txt = txt_record_value(key->get());
  ASSERT_TRUE(txt.ok()) << txt.error().message;
  EXPECT_EQ(txt->rfind("v=DKIM1; h=sha256; p=", 0), 0u) << *txt;
  EXPECT_EQ(txt->find("k="), std::string::npos);  // k=rsa is the default
  auto der = base64_decode(p_tag(*txt));
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(*der, *crypto::public_key_spki_der(key->get()));
  auto pub = crypto::load_public_key_spki_der(*der);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(crypto::same_public_key(pub->get(), key->get()));

  // A public-only key gives the same record.
  EXPECT_EQ(*txt_record_value(pub->get()), *txt);
}

TEST(DkimDnsRecord, Ed25519) {
  auto key = crypto::generate_ed25519();
  ASSERT_TRUE(key.ok());
  auto txt = txt_record_value(key->get());
  ASSERT_TRUE(txt.ok()) << txt.error().message;
  EXPECT_EQ(txt->rfind("v=DKIM1; h=sha256; k=ed25519; p=", 0), 0u) << *txt;
  std::string p = p_tag(*txt);
  EXPECT_EQ(p.size(), 44u);  // base64 of 32 bytes
  auto raw = base64_decode(p);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, *crypto::ed25519_public_raw(key->get()));
}

TEST(DkimDnsRecord, OtherKeysRefused) {
  auto ec = crypto::generate_ecdsa("P-256");
  ASSERT_TRUE(ec.ok());
  auto txt = txt_record_value(ec->get());
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.error().kind, ErrorKind::kUser);
}

TEST(DkimDnsRecord, SplitTxt) {
  auto key = crypto::generate_rsa(2048);
  ASSERT_TRUE(key.ok());
  std::string txt = *txt_record_value(key->get());
  ASSERT_GT(txt.size(), 255u);
  auto parts = split_txt(txt);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 255u);
  EXPECT_EQ(parts[0] + parts[1], txt);

  EXPECT_EQ(split_txt(std::string(510, 'a')).size(), 2u);
  EXPECT_EQ(split_txt(std::string(511, 'a')).size(), 3u);
  EXPECT_EQ(split_txt(std::string(255, 'a')).size(), 1u);
  EXPECT_EQ(split_txt(""), std::vector<std::string>{""});
  EXPECT_EQ(split_txt("abcdefg", 3), (std::vector<std::string>{"abc", "def", "g"}));
  EXPECT_EQ(split_txt("abc", 0), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_txt(std::string(300, 'a'), 1000).size(), 2u);  // clamped to 255

  for (size_t n : {1u, 254u, 256u, 1000u}) {
    std::string v(n, 'x');
    std::string joined;
    for (const auto& s : split_txt(v)) {
      EXPECT_LE(s.size(), 255u);
      joined += s;
    }
    EXPECT_EQ(joined, v);
  }
}

TEST(DkimDnsRecord, ZoneTxtStrings) {
  EXPECT_EQ(zone_txt_strings("v=DKIM1; p=abc"), "\"v=DKIM1; p=abc\"");
  EXPECT_EQ(zone_txt_strings(""), "\"\"");
  EXPECT_EQ(zone_txt_strings(std::string(300, 'x')),
            "\"" + std::string(255, 'x') + "\" \"" + std::string(45, 'x') + "\"");
  EXPECT_EQ(zone_txt_strings("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(zone_txt_strings(std::string("\x01\x7f\xff", 3)), "\"\\001\\127\\255\"");
  // Splitting is on raw bytes, before escaping.
  EXPECT_EQ(zone_txt_strings(std::string(254, 'a') + "\"b"),
            "\"" + std::string(254, 'a') + "\\\"\" \"b\"");
}

}  // namespace
}  // namespace mox::dkim
