// Tests for lib/dkim/tags.h, signature.h and keyrecord.h: the strict
// grammars of RFC 6376 §3.2, §3.5 and §3.6.1.
#include <gtest/gtest.h>

#include <string>

#include "dkim/keyrecord.h"
#include "dkim/signature.h"
#include "dkim/tags.h"

namespace mox::dkim {
namespace {

TEST(DkimTags, Grammar) {
  auto t = parse_tag_list(" a = 1 ;\r\n\tb=two words ; c=;");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].name, "a");
  EXPECT_EQ((*t)[0].value, "1");
  EXPECT_EQ((*t)[1].value, "two words");
  EXPECT_EQ((*t)[2].value, "");
  EXPECT_TRUE(parse_tag_list("a=1; ").ok());  // white space after a final ";"
  for (const char* bad : {"", ";", "a=1;;b=2", "1a=x", "a", "a=b;c", "a=1;a=2", "a=x;y",
                          "a=b\r\nc=d", "a=\x01", "a=b\r\n"}) {
    auto r = parse_tag_list(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_TRUE(parse_tag_list("A=1; a=2").ok());  // names are case-sensitive
  EXPECT_EQ(split_colon_list(" from : To\r\n :x"), (std::vector<std::string>{"from", "To", "x"}));
  EXPECT_EQ(strip_ws(" ab\r\n\tc d "), "abcd");
}

constexpr const char* kSig =
    " v=1; a=rsa-sha256; d=Example.COM; s=Sel1; c=relaxed; q=dns/txt;\r\n"
    "\th=From:To : Subject; i=user=40x@sub.example.com; t=100; x=200; l=5;\r\n"
    "\tbh=AAAA; b=AA\r\n\tAA";

TEST(DkimSignature, Parse) {
  auto s = parse_signature(kSig);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(s->hash, Hash::kSha256);
  EXPECT_EQ(s->domain, "example.com");
  EXPECT_EQ(s->selector, "sel1");
  EXPECT_TRUE(s->header_relaxed);
  EXPECT_FALSE(s->body_relaxed);  // "relaxed" alone is relaxed/simple
  EXPECT_EQ(s->signed_headers, (std::vector<std::string>{"From", "To", "Subject"}));
  EXPECT_EQ(*s->identity, "user@x@sub.example.com");
  EXPECT_EQ(*s->sign_time, 100);
  EXPECT_EQ(*s->expire_time, 200);
  EXPECT_EQ(*s->length, 5u);
  EXPECT_EQ(s->signature, std::string(3, '\0'));
}

TEST(DkimSignature, PermanentErrors) {
  std::string base = "v=1; a=ed25519-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA";
  ASSERT_TRUE(parse_signature(base).ok());
  struct Case {
    std::string from, to, want;
  } cases[] = {
      {"v=1", "v=2", "version"},
      {"v=1; ", "", "missing required tag v="},
      {"; b=AAAA", "", "missing required tag b="},
      {"a=ed25519-sha256", "a=dsa-sha256", "unknown signature algorithm"},
      {"h=from", "h=to:subject", "From"},
      {"h=from", "h=from:a b", "bad header field name"},
      {"d=example.com", "d=exa mple.com", "d="},
      {"s=s", "s=-bad", "s="},
      {"bh=AAAA", "bh=!!", "bh="},
      {"b=AAAA", "b=", "b="},
      {"d=example.com", "d=example.com; i=@other.example", "not d="},
      {"d=example.com", "d=example.com; i=nobody", "@"},
      {"d=example.com", "d=example.com; c=fancy/simple", "canonicalization"},
      {"d=example.com", "d=example.com; q=http/get", "dns/txt"},
      {"d=example.com", "d=example.com; t=200; x=100", "x= is not after t="},
      {"d=example.com", "d=example.com; t=1234567890123", "t="},
      {"d=example.com", "d=example.com; d=example.org", "duplicate"},
  };
  for (const auto& c : cases) {
    std::string text = base;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto r = parse_signature(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos)
        << text << ": " << r.error().message;
  }
}

TEST(DkimSignature, WithoutBValue) {
  auto w = without_b_value("DKIM-Signature: v=1; b=AB\r\n\tCD ; bh=xyz");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, "DKIM-Signature: v=1; b=; bh=xyz");
  EXPECT_EQ(*without_b_value("DKIM-Signature: bh=1; b= AB\r\n CD"), "DKIM-Signature: bh=1; b=");
  EXPECT_FALSE(without_b_value("DKIM-Signature: bh=1").ok());
}

TEST(DkimSignature, FormatRoundTrip) {
  Signature s;
  s.key_algorithm = KeyAlgorithm::kEd25519;
  s.domain = "example.com";
  s.selector = "2024a";
  s.identity = "a b;c@example.com";
  s.body_hash = std::string(32, 'x');
  for (int i = 0; i < 12; ++i) s.signed_headers.push_back("Header-Number-" + std::to_string(i));
  s.signed_headers.push_back("From");
  s.sign_time = 1700000000;
  s.expire_time = 1700259200;
  std::string prefix = format_signature_prefix(s);
  EXPECT_TRUE(prefix.ends_with("b="));
  std::string field = finish_signature_field(prefix, std::string(64, 's'));
  EXPECT_TRUE(field.ends_with("\r\n"));
  size_t start = 0;
  while (start < field.size()) {
    size_t end = field.find("\r\n", start);
    EXPECT_LE(end - start, 78u) << field;
    start = end + 2;
  }
  auto parsed = parse_signature(field.substr(15, field.size() - 17));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << field;
  EXPECT_EQ(parsed->signature, std::string(64, 's'));
  EXPECT_EQ(parsed->body_hash, s.body_hash);
  EXPECT_EQ(parsed->signed_headers, s.signed_headers);
  EXPECT_EQ(*parsed->identity, *s.identity);
  EXPECT_EQ(*without_b_value(field.substr(0, field.size() - 2)), prefix);
}

TEST(DkimSignature, SelectorParse) {
  EXPECT_EQ(Selector::parse("2024A")->str(), "2024a");
  EXPECT_EQ(Selector::parse("a.b-c")->str(), "a.b-c");
  for (const char* bad : {"", "a_b", "-a", "a-", "a..b", "a b", "ä"}) {
    EXPECT_FALSE(Selector::parse(bad).ok()) << bad;
  }
}

TEST(DkimKeyRecord, Parse) {
  auto r = parse_key_record("v=DKIM1; h=sha256:SHA1; k=ed25519; t=y:s; s=email; n=note; p=AQ AB");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->key_type, "ed25519");
  EXPECT_TRUE(r->allows_hash("sha256"));
  EXPECT_TRUE(r->allows_hash("sha1"));
  EXPECT_TRUE(r->testing);
  EXPECT_TRUE(r->strict);
  EXPECT_TRUE(r->allows_email());
  EXPECT_EQ(r->public_key, std::string("\x01\x00\x01", 3));

  auto def = parse_key_record("p=AQAB");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->key_type, "rsa");
  EXPECT_TRUE(def->allows_hash("sha256"));
  EXPECT_TRUE(def->allows_email());
  EXPECT_FALSE(parse_key_record("v=DKIM1; s=tlsrpt; p=AQAB")->allows_email());
  EXPECT_TRUE(parse_key_record("v=DKIM1; p=")->public_key.empty());  // revoked

  for (const char* bad : {"v=DKIM2; p=AQAB", "p=AQAB; v=DKIM1", "v=DKIM1; k=rsa", "p=!!",
                          "p=AQAB; p=AQAB", "v=spf1 -all"}) {
    EXPECT_FALSE(parse_key_record(bad).ok()) << bad;
  }
}

TEST(DkimKeyRecord, PublicKeys) {
  KeyRecord bad;
  bad.key_type = "ed25519";
  bad.public_key = "short";
  EXPECT_FALSE(record_public_key(bad).ok());
  bad.key_type = "dsa";
  EXPECT_EQ(record_public_key(bad).error().kind, ErrorKind::kPermanent);
  bad.key_type = "rsa";
  EXPECT_FALSE(record_public_key(bad).ok());
}

}  // namespace
}  // namespace mox::dkim
