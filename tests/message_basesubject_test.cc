// Tests for lib/message/basesubject.* and sortkeys.*: the base subject of
// RFC 5256 §2.1 rule by rule, the subjects of Dovecot's imaptest
// sort-subject group, and the SORT and THREAD keys of a header.
#include <gtest/gtest.h>

#include "message/basesubject.h"
#include "message/date.h"
#include "message/sortkeys.h"

namespace mox::message {
namespace {

std::string base(std::string_view s) { return base_subject(s).text; }
bool refwd(std::string_view s) { return base_subject(s).reply_or_forward; }

TEST(BaseSubject, Step1DecodesAndCollapsesWhiteSpace) {
  EXPECT_EQ(base("hello   big\t\tworld"), "hello big world");
  EXPECT_EQ(base("=?utf-8?q?Re=3A_caf=C3=A9?="), "caf\xc3\xa9");
  EXPECT_EQ(base("=?iso-8859-1?q?_?="), "");
  EXPECT_EQ(base(""), "");
  EXPECT_FALSE(refwd("hello"));
}

TEST(BaseSubject, Step2Trailers) {
  EXPECT_EQ(base("hello (fwd)"), "hello");
  EXPECT_TRUE(refwd("hello (fwd)"));
  EXPECT_EQ(base("hello (FWD)  (fwd) "), "hello");
  EXPECT_EQ(base("hello(fwd)"), "hello");
  EXPECT_EQ(base("hello (fwd) x"), "hello (fwd) x");  // only at the end
  EXPECT_FALSE(refwd("hello   "));
}

TEST(BaseSubject, Step3Leaders) {
  EXPECT_EQ(base("Re: hello"), "hello");
  EXPECT_TRUE(refwd("Re: hello"));
  EXPECT_EQ(base("re:hello"), "hello");
  EXPECT_EQ(base("Fw: hello"), "hello");
  EXPECT_EQ(base("FWD: hello"), "hello");
  EXPECT_EQ(base("Re : hello"), "hello");    // *WSP before ":"
  EXPECT_EQ(base("Re[2]: hello"), "hello");  // [subj-blob] before ":"
  EXPECT_EQ(base("Re [2] : hello"), "hello");
  EXPECT_EQ(base("[list] Re: hello"), "hello");  // *subj-blob subj-refwd
  EXPECT_EQ(base("Re: Re: Fwd: hello"), "hello");
  EXPECT_EQ(base("Ready: hello"), "Ready: hello");  // not "re" then ":"
  EXPECT_EQ(base("Fwdx: hello"), "Fwdx: hello");
  EXPECT_FALSE(refwd("Ready: hello"));
  EXPECT_EQ(base("Ad: Re: x"), "Ad: Re: x");  // a leader only at the start
}

TEST(BaseSubject, Step4Blobs) {
  EXPECT_EQ(base("[list] hello"), "hello");
  EXPECT_FALSE(refwd("[list] hello"));
  EXPECT_EQ(base("[a][b] hello"), "hello");
  EXPECT_EQ(base("[list]"), "[list]");  // the blob would leave nothing
  EXPECT_EQ(base("[list]   "), "[list]");
  EXPECT_EQ(base("Re: [list]"), "[list]");
  EXPECT_EQ(base("[unclosed hello"), "[unclosed hello");
}

TEST(BaseSubject, Step6ForwardWrapper) {
  EXPECT_EQ(base("[Fwd: hello]"), "hello");
  EXPECT_TRUE(refwd("[Fwd: hello]"));
  EXPECT_EQ(base("[fwd: Re: hello (fwd)]"), "hello");
  EXPECT_EQ(base("Re: [FWD: c]"), "c");
  EXPECT_EQ(base("re: [fwd: [fwd: re: [fwd: babylon]]]"), "babylon");
  EXPECT_EQ(base("[fwd: a] b"), "b");  // a blob, then "b"
}

// Dovecot's imaptest group sort-subject: the subjects and the base subject
// each must have for its expected order.
TEST(BaseSubject, ImaptestSortSubject) {
  EXPECT_EQ(base("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)"), "b");
  EXPECT_EQ(base("b (a)"), "b (a)");
  EXPECT_EQ(base("[xyz]"), "[xyz]");
  EXPECT_EQ(base("Re: =?utf-8?q?b?="), "b");
  EXPECT_EQ(base("=?iso-8859-1?q?RE:_C?="), "C");
  EXPECT_EQ(base("=?us-ascii?b?UmU6IGM=?="), "c");
  EXPECT_EQ(base("Ad: Re: Ad: Re: Ad: x"), "Ad: Re: Ad: Re: Ad: x");
  EXPECT_EQ(base("_"), "_");
}

TEST(BaseSubject, AsciiCasemap) {
  EXPECT_EQ(ascii_casemap_key("aBc_[x] \xc3\xa9"), "ABC_[X] \xc3\xa9");
  EXPECT_LT(ascii_casemap_key("c"), ascii_casemap_key("[xyz]"));  // as imaptest expects
  EXPECT_LT(ascii_casemap_key("[xyz]"), ascii_casemap_key("_"));
}

TEST(DateHeaderTime, ZonesAndForms) {
  EXPECT_EQ(date_header_time("Thu, 01 Jan 1970 00:00:00 +0000"), 0);
  EXPECT_EQ(date_header_time("Fri, 22 Feb 2008 02:00:00 +0200"), 1203638400);
  EXPECT_EQ(date_header_time("22 Feb 2008 00:00 GMT"), 1203638400);
  EXPECT_EQ(date_header_time("Thu, 1 Jan 1970 00:00:00 EST"), 5 * 3600);
  EXPECT_EQ(date_header_time("1 Jan 70 00:00:01 -0100"), 3601);
  EXPECT_FALSE(date_header_time("Fri, 22 Feb 2008"));
  EXPECT_FALSE(date_header_time("Fri, 22 Feb 2008 25:00:00 +0000"));
  EXPECT_FALSE(date_header_time("yesterday"));
}

TEST(SortKeys, MessageIds) {
  EXPECT_EQ(message_ids("<a@b> <c@d>"), (std::vector<std::string>{"a@b", "c@d"}));
  EXPECT_EQ(message_ids("<a@b>\r\n\t<c @ d>"), (std::vector<std::string>{"a@b", "c@d"}));
  EXPECT_EQ(message_ids("<nope> junk <x@y> (comment)"), (std::vector<std::string>{"x@y"}));
  EXPECT_TRUE(message_ids("").empty());
  EXPECT_TRUE(message_ids("<unterminated@x").empty());
}

Header header(std::string_view text) { return parse_header(text).value(); }

TEST(SortKeys, AddressesAndDisplay) {
  SortKeys k = sort_keys(header(
      "From: =?iso-8859-1?q?foo_aar?= <e@f.g>\r\nTo: b@c.d, x@y.z\r\nCc: user2: blah@x;\r\n\r\n"));
  EXPECT_EQ(k.from, "E");
  EXPECT_EQ(k.display_from, "FOO AAR");
  EXPECT_EQ(k.to, "B");
  EXPECT_EQ(k.display_to, "B@C.D");
  EXPECT_EQ(k.cc, "USER2");  // the group's name, as ENVELOPE starts it
  SortKeys d = sort_keys(header("From: d\r\nTo: empty:;\r\n\r\n"));
  EXPECT_EQ(d.display_from, "D");
  EXPECT_EQ(d.display_to, "EMPTY");
  SortKeys none = sort_keys(header("Subject: x\r\n\r\n"));
  EXPECT_EQ(none.from, "");
  EXPECT_EQ(none.display_to, "");
  EXPECT_FALSE(none.sent);
}

TEST(SortKeys, ThreadFields) {
  SortKeys k =
      sort_keys(header("Message-Id: <1@b>\r\nIn-Reply-To: <2@b>\r\nReferences: <3@b> <4@b>\r\n"
                       "Subject: Re: hi\r\nDate: Thu, 01 Jan 1970 00:01:00 +0000\r\n\r\n"));
  EXPECT_EQ(k.message_id, "1@b");
  EXPECT_EQ(k.references, (std::vector<std::string>{"3@b", "4@b"}));
  EXPECT_EQ(k.subject, "HI");
  EXPECT_TRUE(k.reply);
  EXPECT_EQ(k.sent, 60);
  // Without References, the first ID of In-Reply-To.
  SortKeys r = sort_keys(header("In-Reply-To: <2@b> <5@b>\r\nReferences: junk\r\n\r\n"));
  EXPECT_EQ(r.references, (std::vector<std::string>{"2@b"}));
  // A long References keeps its last IDs.
  std::string refs = "References:";
  for (int i = 0; i < 150; ++i) refs += " <" + std::to_string(i) + "@x>";
  SortKeys l = sort_keys(header(refs + "\r\n\r\n"));
  ASSERT_EQ(l.references.size(), kMaxReferences);
  EXPECT_EQ(l.references.back(), "149@x");
}

}  // namespace
}  // namespace mox::message
