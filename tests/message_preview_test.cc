// Tests for lib/message/preview.*: the PREVIEW text of RFC 8970 §3.
#include <gtest/gtest.h>

#include "message/preview.h"

namespace mox::message {
namespace {

std::string of(std::string_view m) { return preview(m, parse_message(m)); }

TEST(MessagePreview, PlainDecodedAndCollapsed) {
  EXPECT_EQ(of("Subject: x\r\n\r\nHello\r\n  world,\r\n\r\n\tbye\r\n"), "Hello world, bye");
  EXPECT_EQ(of("Content-Type: text/plain; charset=iso-8859-1\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 =\r\nau lait\r\n"),
            "Caf\u00e9 au lait");
  EXPECT_EQ(of("Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8gdGhlcmU=\r\n"), "Hello there");
  EXPECT_EQ(of("Subject: x\r\n\r\n"), "");
  // At most 256 characters, counted as code points.
  std::string body;
  for (int i = 0; i < 300; ++i) body += "\u00e9";
  std::string p = of("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n");
  EXPECT_EQ(p, body.substr(0, 512));
}

TEST(MessagePreview, FirstTextPartAndHtml) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n"
      "--c\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
      "--c\r\nContent-Type: text/plain\r\n\r\nplain text\r\n--c--\r\n"
      "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nattached\r\n"
      "--b--\r\n";
  EXPECT_EQ(of(m), "plain text");
  EXPECT_EQ(of("Content-Type: text/html\r\n\r\n<html><head><title>T</title><style>p{}</style>"
               "</head><body><p>Fish &amp; chips</p><br>&#233;t&eacute;<script>x()</script>"
               "done</body></html>\r\n"),
            "Fish & chips \u00e9t&eacute; done");
  EXPECT_EQ(of("Content-Type: image/png\r\n\r\nxx\r\n"), "");
  EXPECT_EQ(of("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
               "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n--b--\r\n"),
            "");
}

}  // namespace
}  // namespace mox::message
