// Tests for lib/message/mimefield.h: Content-Type and Content-Disposition
// parameters (RFC 2045 §5.1, RFC 2183), RFC 2231 continuations and charsets,
// and the sloppy forms real senders use.
#include <gtest/gtest.h>

#include "message/mimefield.h"

namespace mox::message {
namespace {

TEST(ContentType, Basic) {
  auto ct = parse_content_type(" Text/Plain ; Charset = \"UTF-8\" (comment) ; format=flowed");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->type, "text");
  EXPECT_EQ(ct->subtype, "plain");
  ASSERT_EQ(ct->params.size(), 2u);
  EXPECT_EQ(ct->params[0].name, "charset");
  EXPECT_EQ(ct->params[0].value, "UTF-8");
  EXPECT_EQ(ct->params[1].value, "flowed");
  EXPECT_EQ(find_param(ct->params, "FORMAT")->value, "flowed");
  EXPECT_EQ(find_param(ct->params, "delsp"), nullptr);
}

TEST(ContentType, CommentsEverywhere) {
  auto ct = parse_content_type("(a) text (b) / (c) html (d); (e) charset (f) = (g) us-ascii (h)");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->subtype, "html");
  EXPECT_EQ(find_param(ct->params, "charset")->value, "us-ascii");
}

TEST(ContentType, Invalid) {
  EXPECT_FALSE(parse_content_type("").ok());
  EXPECT_FALSE(parse_content_type("text").ok());
  EXPECT_FALSE(parse_content_type("text/").ok());
  EXPECT_FALSE(parse_content_type("/plain").ok());
  EXPECT_EQ(parse_content_type("text/").error().kind, ErrorKind::kSyntax);
}

TEST(ContentType, SloppyValues) {
  // Unquoted values with tspecials ("=" in boundaries is common), unquoted
  // file names with spaces, a missing ";", a quoted string with escapes,
  // junk, duplicates (the first wins), a parameter without a value.
  auto ct = parse_content_type(
      "multipart/mixed; boundary=----=_NextPart_000_0001; name=my file.txt "
      "charset=utf-8;; junk; title=\"a \\\"b\\\"\" trailing; Charset=x; =v");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(find_param(ct->params, "boundary")->value, "----=_NextPart_000_0001");
  EXPECT_EQ(find_param(ct->params, "name")->value, "my file.txt");
  EXPECT_EQ(find_param(ct->params, "charset")->value, "utf-8");
  EXPECT_EQ(find_param(ct->params, "title")->value, "a \"b\"");
  EXPECT_EQ(ct->params.size(), 4u);
}

TEST(Rfc2231, ContinuationsAndCharset) {
  // RFC 2231 §3 and §4.1 examples.
  auto a = parse_content_type(
      "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n"
      " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
  ASSERT_TRUE(a.ok());
  const MimeParam* url = find_param(a->params, "url");
  ASSERT_NE(url, nullptr);
  EXPECT_FALSE(url->extended);
  EXPECT_EQ(url->value, "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
  EXPECT_EQ(param_wire_value(*url), url->value);

  auto b = parse_content_type(
      "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  ASSERT_TRUE(b.ok());
  const MimeParam* t = find_param(b->params, "title");
  EXPECT_TRUE(t->extended);
  EXPECT_EQ(t->charset, "us-ascii");
  EXPECT_EQ(t->language, "en-us");
  EXPECT_EQ(t->value, "This is ***fun***");
  EXPECT_EQ(param_utf8(*t), "This is ***fun***");
  EXPECT_EQ(param_wire_value(*t), "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
}

TEST(Rfc2231, OrderGapsAndPreference) {
  // Sections out of order are sorted; a gap ends the value; an extended
  // value wins over a plain one of the same name (RFC 6266 style fallbacks).
  auto d = parse_content_disposition(
      "attachment; filename=\"fallback.pdf\"; filename*1*=%C3%A9.pdf; "
      "filename*0*=utf-8''r%C3%A9sum; filename*3=lost");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, "attachment");
  ASSERT_EQ(d->params.size(), 1u);
  EXPECT_EQ(param_utf8(d->params[0]), "r\xc3\xa9sum\xc3\xa9.pdf");
  EXPECT_EQ(param_wire_value(d->params[0]), "utf-8''r%C3%A9sum%C3%A9.pdf");

  // Latin-1, and a malformed extended value without quotes.
  auto l = parse_content_disposition("inline; filename*=iso-8859-1''caf%E9; x*=100%");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(param_utf8(l->params[0]), "caf\xc3\xa9");
  EXPECT_EQ(l->params[1].value, "100%");
  EXPECT_EQ(param_utf8(l->params[1]), "100%");
}

TEST(Rfc2231, EncodedWordsInPlainValues) {
  // RFC 2047 §5 forbids encoded-words in parameters; senders use them anyway.
  auto ct = parse_content_type("application/pdf; name=\"=?UTF-8?B?w6kucGRm?=\"");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(param_utf8(ct->params[0]), "\xc3\xa9.pdf");
  EXPECT_EQ(param_wire_value(ct->params[0]), "=?UTF-8?B?w6kucGRm?=");
}

TEST(Rfc2231, ManyParamsStayCheap) {
  std::string v = "text/plain";
  for (int i = 0; i < 100000; ++i) v += "; a*=x";
  auto ct = parse_content_type(v);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->params.size(), 1u);
}

TEST(MimeFields, EncodingAndLanguage) {
  EXPECT_EQ(parse_transfer_encoding(" Base64 "), "base64");
  EXPECT_EQ(parse_transfer_encoding("(c) Quoted-Printable;"), "quoted-printable");
  EXPECT_EQ(parse_transfer_encoding(""), "");
  EXPECT_EQ(parse_content_language("en, de-CH (Swiss), ,fr"),
            (std::vector<std::string>{"en", "de-CH", "fr"}));
  EXPECT_FALSE(parse_content_disposition("; filename=x").ok());
}

TEST(MimeFields, TextToUtf8) {
  EXPECT_EQ(text_to_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(text_to_utf8("caf\xe9 \x80"), "caf\xc3\xa9 \xe2\x82\xac");  // windows-1252
  EXPECT_EQ(text_to_utf8("caf\xe9", "ISO-8859-1"), "caf\xc3\xa9");
  EXPECT_EQ(text_to_utf8("caf\xe9", "x-unknown"), "caf\xef\xbf\xbd");
}

}  // namespace
}  // namespace mox::message
