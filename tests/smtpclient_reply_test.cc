// Tests for the I/O-free parts of lib/smtpclient: the reply parser
// (RFC 5321 §4.2), enhanced status codes (RFC 3463), EHLO extensions and
// the DATA encoder (CRLF, dot-stuffing).
#include <gtest/gtest.h>

#include "smtpclient/data.h"
#include "smtpclient/ehlo.h"
#include "smtpclient/reply.h"

namespace mox::smtpclient {
namespace {

std::vector<Reply> parse_all(std::string_view in) {
  ReplyParser p;
  p.feed(in);
  std::vector<Reply> out;
  while (true) {
    auto r = p.next();
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok() || !r->has_value()) break;
    out.push_back(std::move(**r));
  }
  return out;
}

Error parse_error(std::string_view in) {
  ReplyParser p;
  p.feed(in);
  while (true) {
    auto r = p.next();
    if (!r.ok()) return r.error();
    if (!r->has_value()) return Error{ErrorKind::kInternal, "no error"};
  }
}

TEST(SmtpClientReply, SingleLine) {
  auto rs = parse_all("250 2.1.0 ok sender\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].code, 250);
  EXPECT_EQ(rs[0].enhanced, "2.1.0");
  EXPECT_EQ(rs[0].lines, std::vector<std::string>{"ok sender"});
  EXPECT_EQ(rs[0].str(), "250 2.1.0 ok sender");
  EXPECT_TRUE(rs[0].positive());
}

TEST(SmtpClientReply, Multiline) {
  auto rs = parse_all("250-mail.example.com hi\r\n250-PIPELINING\r\n250 SIZE 1000\r\n354 go\r\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].code, 250);
  EXPECT_EQ(rs[0].lines,
            (std::vector<std::string>{"mail.example.com hi", "PIPELINING", "SIZE 1000"}));
  EXPECT_EQ(rs[0].enhanced, "");
  EXPECT_EQ(rs[1].code, 354);
}

TEST(SmtpClientReply, MultilineEnhancedOnEveryLine) {
  auto rs = parse_all("550-5.7.1 first\r\n550 5.7.1 second\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].enhanced, "5.7.1");
  EXPECT_EQ(rs[0].lines, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(rs[0].str(), "550 5.7.1 first; second");
  EXPECT_TRUE(rs[0].permanent());
}

TEST(SmtpClientReply, CodeOnlyAndBareLF) {
  auto rs = parse_all("250\r\n221 bye\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].code, 250);
  EXPECT_EQ(rs[0].lines, std::vector<std::string>{""});
  EXPECT_EQ(rs[1].code, 221);
  EXPECT_EQ(rs[1].lines, std::vector<std::string>{"bye"});
}

TEST(SmtpClientReply, EnhancedClassMustMatch) {
  // RFC 2034 §4: a 4xx reply with a "5.x.x" text keeps it as text.
  auto rs = parse_all("451 5.1.1 odd\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].enhanced, "");
  EXPECT_EQ(rs[0].lines[0], "5.1.1 odd");
  EXPECT_TRUE(rs[0].temporary());
}

TEST(SmtpClientReply, Incremental) {
  ReplyParser p;
  std::string in = "220-a\r\n220 b\r\n";
  for (size_t i = 0; i + 1 < in.size(); i++) {
    p.feed(in.substr(i, 1));
    auto r = p.next();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << i;
  }
  p.feed(in.substr(in.size() - 1));
  auto r = p.next();
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->lines.size(), 2u);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(SmtpClientReply, Buffered) {
  ReplyParser p;
  p.feed("220 go ahead\r\n250 injected\r\n");
  auto r = p.next();
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_GT(p.buffered(), 0u);
}

TEST(SmtpClientReply, Malformed) {
  EXPECT_EQ(parse_error("hello\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("25\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("2500 x\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("199 x\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("650 x\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("250_x\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("250-x\r\n251 y\r\n").kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error(std::string(ReplyParser::kMaxLine + 10, '2')).kind, ErrorKind::kSyntax);
  EXPECT_EQ(parse_error("250 " + std::string(ReplyParser::kMaxLine, 'x') + "\r\n").kind,
            ErrorKind::kSyntax);
  std::string many;
  for (size_t i = 0; i <= ReplyParser::kMaxLines; i++) many += "250-x\r\n";
  EXPECT_EQ(parse_error(many).kind, ErrorKind::kSyntax);
}

TEST(SmtpClientReply, ControlCharactersNotPrinted) {
  auto rs = parse_all("550 bad\x1b[31m\r\n");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].str(), "550 bad?[31m");
}

TEST(SmtpClientEnhanced, Parse) {
  EXPECT_EQ(parse_enhanced_code("5.1.1 no such user"), "5.1.1");
  EXPECT_EQ(parse_enhanced_code("2.0.0"), "2.0.0");
  EXPECT_EQ(parse_enhanced_code("4.7.100 x"), "4.7.100");
  EXPECT_EQ(parse_enhanced_code("5.7.13 disabled"), "5.7.13");
  EXPECT_EQ(parse_enhanced_code("3.1.1 x"), "");  // class 2, 4 or 5
  EXPECT_EQ(parse_enhanced_code("5.1.1000 x"), "");
  EXPECT_EQ(parse_enhanced_code("5..1 x"), "");
  EXPECT_EQ(parse_enhanced_code("5.1.1x"), "");
  EXPECT_EQ(parse_enhanced_code("5.1"), "");
  EXPECT_EQ(parse_enhanced_code("ok"), "");
}

Extensions ehlo(std::string_view wire) {
  auto rs = parse_all(wire);
  EXPECT_EQ(rs.size(), 1u);
  return rs.empty() ? Extensions() : parse_ehlo(rs[0]);
}

TEST(SmtpClientEhlo, MoxExtensions) {
  // What mox-smtpd announces on submission after STARTTLS (mox-smtpd(8)
  // "Replies").
  Extensions e = ehlo(
      "250-mail.mox.example\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-REQUIRETLS\r\n"
      "250-AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 CRAM-MD5 PLAIN\r\n250-ENHANCEDSTATUSCODES\r\n"
      "250-8BITMIME\r\n250-LIMITS RCPTMAX=1000\r\n250 SMTPUTF8\r\n");
  EXPECT_TRUE(e.pipelining);
  EXPECT_FALSE(e.starttls);
  EXPECT_TRUE(e.requiretls);
  EXPECT_TRUE(e.enhanced_status_codes);
  EXPECT_TRUE(e.eightbitmime);
  EXPECT_TRUE(e.smtputf8);
  EXPECT_FALSE(e.chunking);
  ASSERT_TRUE(e.size.has_value());
  EXPECT_EQ(*e.size, 104857600u);
  EXPECT_EQ(e.auth,
            (std::vector<std::string>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "CRAM-MD5", "PLAIN"}));
  EXPECT_TRUE(e.has("limits"));
  EXPECT_FALSE(e.has("DSN"));
}

TEST(SmtpClientEhlo, OddForms) {
  Extensions e = ehlo(
      "250-x\r\n250-starttls\r\n250-AUTH=login plain\r\n250-auth PLAIN cram-md5\r\n"
      "250-SIZE\r\n250 CHUNKING\r\n");
  EXPECT_TRUE(e.starttls);
  EXPECT_TRUE(e.chunking);
  EXPECT_EQ(e.auth, (std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5"}));
  ASSERT_TRUE(e.size.has_value());
  EXPECT_EQ(*e.size, 0u);  // RFC 1870 §4: no fixed limit
  EXPECT_FALSE(ehlo("250-x\r\n250 SIZE lots\r\n").size.has_value());
  Extensions none = ehlo("250 only a greeting\r\n");
  EXPECT_TRUE(none.keywords.empty());
  EXPECT_FALSE(none.pipelining);
}

std::string encode(std::vector<std::string_view> chunks) {
  DataEncoder e;
  std::string out;
  for (auto c : chunks) e.encode(c, out);
  e.finish(out);
  return out;
}

TEST(SmtpClientData, DotStuffingAndLineEnds) {
  EXPECT_EQ(encode({"a\r\nb\r\n"}), "a\r\nb\r\n.\r\n");
  EXPECT_EQ(encode({"a\nb"}), "a\r\nb\r\n.\r\n");
  EXPECT_EQ(encode({".hidden\r\n..two\r\n.\r\n"}), "..hidden\r\n...two\r\n..\r\n.\r\n");
  EXPECT_EQ(encode({""}), ".\r\n");
  EXPECT_EQ(encode({"x.\r\n"}), "x.\r\n.\r\n");
  // SMTP smuggling shapes: a bare LF or CR before a dot is a line end here,
  // so the dot is stuffed and the data cannot end early.
  EXPECT_EQ(encode({"a\n.\nb\r\n"}), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(encode({"a\r.\r\nb\r\n"}), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(encode({"a\r\r\nb"}), "a\r\n\r\nb\r\n.\r\n");
}

TEST(SmtpClientData, ChunkBoundaries) {
  std::string whole = "From: x\r\n\r\n.line\r\nend\n.\n";
  std::string expect = encode({whole});
  for (size_t i = 0; i <= whole.size(); i++) {
    std::string_view w(whole);
    EXPECT_EQ(encode({w.substr(0, i), w.substr(i)}), expect) << i;
  }
}

TEST(SmtpClientData, Scan) {
  MessageInfo info;
  scan_message("plain ascii\r\n", info);
  EXPECT_FALSE(info.eight_bit);
  scan_message("caf\xc3\xa9\r\n", info);
  EXPECT_TRUE(info.eight_bit);
  EXPECT_EQ(info.size, 13u + 7u);
  MessageInfo bare;
  scan_message("a\nb\r", bare);
  scan_message("\nc", bare);  // a CRLF across chunks
  EXPECT_EQ(bare.size, 7u);   // "a\r\nb\r\nc"
  scan_message("\rd", bare);
  EXPECT_EQ(bare.size, 10u);  // a bare CR becomes CRLF
}

}  // namespace
}  // namespace mox::smtpclient
