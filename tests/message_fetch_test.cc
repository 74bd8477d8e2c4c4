// Tests for lib/message/fetch.h: IMAP strings, ENVELOPE, BODY and
// BODYSTRUCTURE (RFC 9051 §4.3, §7.5.2) of the corpus in tests/data/messages/.
// Expected values are worked out by hand from the RFC grammar; sizes and
// line counts are of the bodies as RFC 2046 §5.1.1 delimits them.
#include <gtest/gtest.h>

#include "message/fetch.h"
#include "message/mime.h"
#include "message_test_util.h"

namespace mox::message {
namespace {

using testing::corpus;

struct Rendered {
  std::string envelope, body, bodystructure;
};

Rendered render(const std::string& name) {
  std::string m = corpus(name);
  Part root = parse_message(m);
  return {envelope(root), bodystructure(root, false), bodystructure(root, true)};
}

TEST(ImapString, QuotedOrLiteral) {
  EXPECT_EQ(imap_string(""), "\"\"");
  EXPECT_EQ(imap_string("plain text\t!"), "\"plain text\t!\"");
  EXPECT_EQ(imap_string("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
  EXPECT_EQ(imap_string("two\r\nlines"), "{10}\r\ntwo\r\nlines");
  EXPECT_EQ(imap_string("caf\xc3\xa9"), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(imap_string(std::string("a\0b", 3)), "\"ab\"");
  EXPECT_EQ(imap_string(std::string("\xff\0", 2)), "{1}\r\n\xff");
  // Stored forms are for every client: 8-bit as literals, and no quoted
  // string over 1024 octets (imapstring/imapstring.h).
  EXPECT_EQ(imap_string(std::string(1025, 'x')), "{1025}\r\n" + std::string(1025, 'x'));
  EXPECT_EQ(imap_nstring(std::nullopt), "NIL");
  EXPECT_EQ(imap_nstring("NIL"), "\"NIL\"");
}

TEST(Envelope, Plain) {
  // The message of RFC 9051 §8's example, our copy.
  EXPECT_EQ(render("plain.eml").envelope,
            "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"afternoon meeting\" "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
            "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
            "((NIL NIL \"mooch\" \"owatagu.siam.edu.example\")) NIL NIL NIL "
            "\"<B27397-0100000@Blurdybloop.example>\")");
}

TEST(Envelope, Latin1HeadersBecomeEncodedWords) {
  // Undeclared 8-bit header text is taken as windows-1252 and sent as
  // RFC 2047 UTF-8 encoded-words, readable by IMAP4rev1 clients.
  EXPECT_EQ(render("latin1.eml").envelope,
            "(\"Tue, 1 Mar 2022 10:00:00 +0100\" \"=?UTF-8?B?Y2Fmw6kgY3LDqG1l?=\" "
            "((\"=?UTF-8?B?QW5kcsOp?=\" NIL \"andre\" \"example.fr\")) "
            "((\"=?UTF-8?B?QW5kcsOp?=\" NIL \"andre\" \"example.fr\")) "
            "((\"=?UTF-8?B?QW5kcsOp?=\" NIL \"andre\" \"example.fr\")) "
            "((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL NIL)");
}

TEST(Envelope, EncodedWordsAndComments) {
  // An ASCII subject goes as written; decoded display names that are not
  // ASCII are encoded again; a comment names a bare address.
  EXPECT_EQ(render("utf8_subject.eml").envelope,
            "(\"Wed, 2 Mar 2022 11:30:00 +0100\" "
            "\"=?UTF-8?B?R3LDvMOfZSBhdXMgTcO8bmNoZW4=?=\" "
            "((\"=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.de\")) "
            "((\"=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.de\")) "
            "((\"=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.de\")) "
            "((\"Smith, John\" NIL \"john\" \"example.com\")"
            "(\"Jane Doe\" NIL \"jane\" \"example.com\")) "
            "((\"=?UTF-8?B?UmVuw6k=?=\" NIL \"rene\" \"example.fr\")) NIL "
            "\"<orig.1@example.com>\" \"<utf8.1@example.de>\")");
}

TEST(Envelope, GroupsQuotingAndDefaults) {
  // RFC 9051 §7.5.2: groups with start (NIL NIL "name" NIL) and end
  // (NIL NIL NIL NIL) markers; Reply-To present but empty defaults to From.
  EXPECT_EQ(
      render("groups.eml").envelope,
      "(\"Wed, 9 Mar 2022 05:00:00 +0000\" \"say \\\"hi\\\" \\\\ bye\" "
      "((\"Doe, \\\"Q\\\" Jane\" NIL \"jane\" \"example.com\")) "
      "((NIL NIL \"secretary\" \"example.com\")) "
      "((\"Doe, \\\"Q\\\" Jane\" NIL \"jane\" \"example.com\")) "
      "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
      "((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"example.com\")(\"B\" NIL \"b\" \"example.com\")"
      "(NIL NIL NIL NIL)(NIL NIL \"c\" \"example.com\")) NIL NIL NIL)");
}

TEST(Envelope, HeaderOnlyAndLongSubject) {
  EXPECT_EQ(render("header_only.eml").envelope,
            "(NIL \"only a header\" ((NIL NIL \"nina\" \"example.org\")) "
            "((NIL NIL \"nina\" \"example.org\")) ((NIL NIL \"nina\" \"example.org\")) "
            "((NIL NIL \"oscar\" \"example.org\")) NIL NIL NIL NIL)");
  // The whole subject, as a literal: over 1024 octets (imapstring/imapstring.h).
  std::string env = render("long_header.eml").envelope;
  EXPECT_NE(env.find(" {2000}\r\n" + std::string(2000, 'x') + " "), std::string::npos);
}

TEST(Envelope, BrokenAddressesGiveWhatTheyCan) {
  Envelope e;
  e.from = "Alice <alice@example.org>, <<broken>>, bob@ (Bob), \"unterminated";
  e.to = "";
  e.cc = "  ";
  e.subject = "";
  EXPECT_EQ(envelope(e),
            "(NIL NIL ((\"Alice\" NIL \"alice\" \"example.org\")"
            "(NIL NIL \"broken\" \"MISSING_DOMAIN\")(NIL NIL \"bob\" \"MISSING_DOMAIN\")"
            "(NIL NIL \"unterminated\" \"MISSING_DOMAIN\")) "
            "((\"Alice\" NIL \"alice\" \"example.org\")"
            "(NIL NIL \"broken\" \"MISSING_DOMAIN\")(NIL NIL \"bob\" \"MISSING_DOMAIN\")"
            "(NIL NIL \"unterminated\" \"MISSING_DOMAIN\")) "
            "((\"Alice\" NIL \"alice\" \"example.org\")"
            "(NIL NIL \"broken\" \"MISSING_DOMAIN\")(NIL NIL \"bob\" \"MISSING_DOMAIN\")"
            "(NIL NIL \"unterminated\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope(Part{}), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

// RFC 3501 §7.4.2: the obsolete source route (RFC 5322 §4.4 obs-route) is
// the address's adl.
TEST(Envelope, SourceRouteIsTheAdl) {
  Envelope e;
  e.from = "<@route:user@domain>, Bob <@a.test,@b.test:bob@c.test>";
  std::string env = envelope(e);
  EXPECT_EQ(env.substr(0, 97),
            "(NIL NIL ((NIL \"@route\" \"user\" \"domain\")(\"Bob\" \"@a.test,@b.test\" "
            "\"bob\" \"c.test\")) ((NIL \"@route\" ");
}

TEST(Envelope, LongNonAsciiNameIsSplitIntoEncodedWords) {
  Envelope e;
  e.from = std::string(30, 'a') + "\xc3\xa9\xc3\xa9" + std::string(30, 'b') + " <x@example.org>";
  std::string env = envelope(e);
  // 45 octets per word, never splitting the two-octet "é".
  EXPECT_NE(env.find("=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhw6nDqWJiYmJiYmJiYmJi?= "
                     "=?UTF-8?B?YmJiYmJiYmJiYmJiYmJiYmJiYg==?="),
            std::string::npos)
      << env;
}

TEST(Bodystructure, Plain) {
  // As in RFC 9051 §7.5.2's example, with extension data.
  Rendered r = render("plain.eml");
  EXPECT_EQ(r.body, "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 55 1)");
  EXPECT_EQ(
      r.bodystructure,
      "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 55 1 NIL NIL NIL NIL)");
}

TEST(Bodystructure, Latin1AndQuotedPrintable) {
  EXPECT_EQ(render("latin1.eml").bodystructure,
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"iso-8859-1\") NIL NIL \"8BIT\" 45 2 NIL NIL NIL "
            "NIL)");
  EXPECT_EQ(render("utf8_subject.eml").bodystructure,
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\" \"FORMAT\" \"flowed\") NIL NIL "
            "\"QUOTED-PRINTABLE\" 93 2 NIL NIL NIL NIL)");
}

TEST(Bodystructure, NoContentTypeHeaderOnlyEmptyBody) {
  // RFC 2045 §5.2 default: text/plain; charset=us-ascii.
  EXPECT_EQ(
      render("no_content_type.eml").bodystructure,
      "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 24 2 NIL NIL NIL NIL)");
  EXPECT_EQ(render("header_only.eml").body,
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0)");
  EXPECT_EQ(render("empty_body.eml").body,
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0)");
  EXPECT_EQ(render("long_header.eml").body,
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 1)");
}

TEST(Bodystructure, Alternative) {
  Rendered r = render("alternative.eml");
  EXPECT_EQ(r.body,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 16 1)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 28 1) \"ALTERNATIVE\")");
  EXPECT_EQ(r.bodystructure,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 16 1 NIL NIL NIL NIL)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 28 1 NIL NIL NIL NIL) "
            "\"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)");
}

TEST(Bodystructure, MixedWithAttachmentAndAllExtensionData) {
  // Content-ID, -Description, -Disposition with an RFC 2231 file name (sent
  // in its encoded form), -Language (a list of two), -Location.
  Rendered r = render("mixed_attachment.eml");
  EXPECT_EQ(r.bodystructure,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 15 1 NIL NIL NIL NIL)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<part2@example.net>\" "
            "\"The report\" \"BASE64\" 394 NIL "
            "(\"ATTACHMENT\" (\"FILENAME*\" \"UTF-8''r%C3%A9sum%C3%A9.pdf\")) (\"en\" \"de\") "
            "\"http://example.net/report.pdf\") "
            "\"MIXED\" (\"BOUNDARY\" \"----=_Part_0_123.456\") NIL NIL NIL)");
  EXPECT_EQ(r.body,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 15 1)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<part2@example.net>\" "
            "\"The report\" \"BASE64\" 394) \"MIXED\")");
}

TEST(Bodystructure, ForwardedMessage) {
  // body-type-msg: envelope, body and lines of the encapsulated message.
  Rendered r = render("forward.eml");
  std::string inner_env =
      "(\"Fri, 4 Mar 2022 12:00:00 +0000\" \"lunch\" "
      "((\"Grace\" NIL \"grace\" \"example.org\")) ((\"Grace\" NIL \"grace\" \"example.org\")) "
      "((\"Grace\" NIL \"grace\" \"example.org\")) ((\"Eve\" NIL \"eve\" \"example.com\")) "
      "NIL NIL NIL \"<lunch.1@example.org>\")";
  EXPECT_EQ(r.bodystructure,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 378 " +
                inner_env +
                " ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 14 1 NIL NIL NIL "
                "NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 21 1 NIL NIL NIL "
                "NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"inner\") NIL NIL NIL) 17 NIL "
                "(\"INLINE\" NIL) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)");
  EXPECT_EQ(r.body,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 1)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 378 " +
                inner_env +
                " ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 14 1)"
                "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 21 1) "
                "\"ALTERNATIVE\") 17) \"MIXED\")");
}

TEST(Bodystructure, Signed) {
  EXPECT_EQ(
      render("signed.eml").bodystructure,
      "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 12 1 NIL NIL "
      "NIL NIL)(\"APPLICATION\" \"PGP-SIGNATURE\" (\"NAME\" \"signature.asc\") NIL "
      "\"OpenPGP digital signature\" \"7BIT\" 78 NIL "
      "(\"ATTACHMENT\" (\"FILENAME\" \"signature.asc\")) NIL NIL) \"SIGNED\" "
      "(\"MICALG\" \"pgp-sha256\" \"PROTOCOL\" \"application/pgp-signature\" \"BOUNDARY\" "
      "\"sig\") NIL NIL NIL)");
}

TEST(Bodystructure, MissingFinalBoundaryAndBareLf) {
  EXPECT_EQ(render("missing_final_boundary.eml").body,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1)"
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 56 1) \"MIXED\")");
  EXPECT_EQ(render("bare_lf.eml").bodystructure,
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 17 2 NIL NIL NIL NIL)"
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"iso-8859-1\") NIL NIL \"QUOTED-PRINTABLE\" 6 1 NIL "
            "NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"lf\") NIL NIL NIL)");
}

TEST(Bodystructure, Digest) {
  // RFC 2046 §5.1.5: parts of a multipart/digest default to message/rfc822.
  EXPECT_EQ(render("digest.eml").body,
            "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 50 "
            "(NIL \"one\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) "
            "((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL) "
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 1) 4)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 51 "
            "(NIL \"two\" ((NIL NIL \"b\" \"example.org\")) ((NIL NIL \"b\" \"example.org\")) "
            "((NIL NIL \"b\" \"example.org\")) NIL NIL NIL NIL NIL) "
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 14 1) 4) \"DIGEST\")");
}

TEST(Bodystructure, Rfc2231Continuations) {
  // The example of RFC 2231 §4.1, joined into one extended value.
  EXPECT_EQ(render("rfc2231.eml").bodystructure,
            "(\"APPLICATION\" \"X-STUFF\" (\"TITLE*\" "
            "\"us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!\") "
            "NIL NIL \"7BIT\" 9 NIL NIL NIL NIL)");
}

TEST(Bodystructure, DeepNesting) {
  std::string want;
  for (int i = 0; i < 8; ++i) want += "(";
  want += "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 7 1)";
  for (int i = 0; i < 8; ++i) want += " \"MIXED\")";
  EXPECT_EQ(render("deep_nested.eml").body, want);

  // Past the depth limit a multipart has no parts, and is shown with the
  // empty text/plain part the grammar needs (as Dovecot does).
  std::string m = corpus("deep_nested.eml");
  MimeLimits limits;
  limits.max_depth = 2;
  Part root = parse_message(m, limits);
  EXPECT_EQ(bodystructure(root, false),
            "((((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0) \"MIXED\") "
            "\"MIXED\") \"MIXED\")");
}

TEST(Bodystructure, EncodedMessageIsALeaf) {
  // RFC 2046 §5.2.1 forbids base64 for message/rfc822; such a part (and
  // message/global, which RFC 6532 §3.5 lets be encoded) is a basic body.
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: message/global\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "RnJvbTogYUBiDQoNCmhp\r\n--b--\r\n";
  EXPECT_EQ(bodystructure(parse_message(m), false),
            "((\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"BASE64\" 20) \"MIXED\")");
}

TEST(Bodystructure, UnknownTypesAndEncodings) {
  std::string m =
      "Content-Type: x-weird/Thing; A=\"1\"\r\nContent-Transfer-Encoding: X-UUENCODE\r\n"
      "Content-Disposition: inline; filename=\"a b.txt\"\r\nContent-Language: en-GB\r\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n\r\nxyz";
  EXPECT_EQ(bodystructure(parse_message(m), true),
            "(\"X-WEIRD\" \"THING\" (\"A\" \"1\") NIL NIL \"x-uuencode\" 3 "
            "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"INLINE\" (\"FILENAME\" \"a b.txt\")) \"en-GB\" NIL)");
}

}  // namespace
}  // namespace mox::message
