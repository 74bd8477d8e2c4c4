// Tests for lib/queue/dsn.h: the composed DSN is parsed back with
// lib/message's MIME and header parsers and checked field by field against
// RFC 3464 (multipart/report of RFC 6522, per-message and per-recipient
// fields), RFC 6533 (UTF-8 addresses: message/global-delivery-status and
// message/global-headers), and for header injection through remote text.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "message/date.h"
#include "message/header.h"
#include "message/mime.h"
#include "queue/dsn.h"
#include "queue_test_util.h"

namespace mox::queue {
namespace {

constexpr int64_t kQueued = 1'700'000'000;
constexpr int64_t kNow = kQueued + 3600;

const std::string kOriginalHeader =
    "From: <mjl@example.com>\r\nTo: <rcpt@remote.example>\r\nSubject: hello\r\n"
    "Message-ID: <m1@example.com>";

Dsn failed_dsn() {
  Dsn d;
  d.reporting_mta = "mail.example.com";
  d.to = "mjl@example.com";
  d.original_message_id = "<m1@example.com>";
  d.original_subject = "hello";
  d.original_header = kOriginalHeader;
  d.arrival = kQueued;
  d.now = kNow;
  DsnRecipient r;
  r.address = "rcpt@remote.example";
  r.failed = true;
  r.status = "5.1.1";
  r.code = 550;
  r.diagnostic = "no such user here";
  r.remote_mta = "mx.remote.example";
  r.last_attempt = kNow;
  d.recipients.push_back(r);
  return d;
}

std::string_view body(std::string_view msg, const message::Part& p) {
  return msg.substr(p.body_offset(), p.body_size);
}

std::string param(const message::Part& p, std::string_view name) {
  for (const auto& prm : p.content_type.params) {
    if (prm.name == name) return prm.value;
  }
  return "";
}

std::string mime_type(const message::Part& p) {
  return p.content_type.type + "/" + p.content_type.subtype;
}

// The blocks of a delivery-status body (RFC 3464 §2.1: the per-message
// fields, then one block per recipient, separated by blank lines), each
// parsed as a header section.
std::vector<message::Header> status_blocks(std::string_view text) {
  std::vector<message::Header> out;
  while (!text.empty()) {
    size_t end = text.find("\r\n\r\n");
    std::string block(text.substr(0, end == std::string_view::npos ? text.size() : end + 2));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 4);
    if (block.find_first_not_of("\r\n") == std::string::npos) continue;
    auto h = message::parse_header(block + "\r\n");
    EXPECT_TRUE(h.ok());
    if (!h.ok()) continue;
    EXPECT_TRUE(h->defects.empty()) << "defect in block: " << block;
    out.push_back(std::move(*h));
  }
  return out;
}

std::string field(const message::Header& h, std::string_view name) {
  const auto* f = h.first(name);
  return f ? f->value : "<absent>";
}

// A parsed DSN with its three parts.
struct Parsed {
  std::string text;
  message::Part root;
  std::vector<message::Header> blocks;
  std::string human, headers;
  message::Header top;
};

Parsed parse(const Dsn& d) {
  Parsed p;
  p.text = compose_dsn(d);
  // Every line ends in CRLF, none is longer than RFC 5322 §2.1.1 allows.
  size_t pos = 0;
  while (pos < p.text.size()) {
    size_t eol = p.text.find("\r\n", pos);
    EXPECT_NE(eol, std::string::npos) << "last line without CRLF";
    if (eol == std::string::npos) break;
    EXPECT_EQ(p.text.substr(pos, eol - pos).find_first_of("\r\n"), std::string::npos)
        << "bare CR or LF";
    EXPECT_LE(eol - pos, 998u);
    pos = eol + 2;
  }
  p.root = message::parse_message(p.text);
  EXPECT_TRUE(p.root.defects.empty()) << p.root.defects[0];
  auto top = message::parse_header(p.text);
  EXPECT_TRUE(top.ok());
  if (top.ok()) p.top = *top;
  EXPECT_EQ(p.root.parts.size(), 3u);
  if (p.root.parts.size() == 3) {
    p.human = std::string(body(p.text, p.root.parts[0]));
    p.blocks = status_blocks(body(p.text, p.root.parts[1]));
    p.headers = std::string(body(p.text, p.root.parts[2]));
  }
  return p;
}

TEST(QueueDsn, FailedIsMultipartReport) {
  Parsed p = parse(failed_dsn());
  // RFC 6522 §3: multipart/report; report-type=delivery-status.
  EXPECT_EQ(mime_type(p.root), "multipart/report");
  EXPECT_EQ(param(p.root, "report-type"), "delivery-status");
  EXPECT_FALSE(param(p.root, "boundary").empty());
  ASSERT_EQ(p.root.parts.size(), 3u);
  EXPECT_EQ(mime_type(p.root.parts[0]), "text/plain");
  EXPECT_EQ(p.root.parts[0].charset(), "utf-8");
  EXPECT_EQ(mime_type(p.root.parts[1]), "message/delivery-status");
  EXPECT_EQ(mime_type(p.root.parts[2]), "text/rfc822-headers");

  // The message's own header: to the sender, from the postmaster, not to be
  // answered automatically (RFC 3834 §5).
  EXPECT_EQ(field(p.top, "To"), "<mjl@example.com>");
  EXPECT_NE(field(p.top, "From").find("postmaster@mail.example.com"), std::string::npos);
  EXPECT_EQ(field(p.top, "Subject"), "mail delivery failed");
  EXPECT_EQ(field(p.top, "Auto-Submitted"), "auto-replied");
  EXPECT_EQ(field(p.top, "References"), "<m1@example.com>");
  EXPECT_EQ(field(p.top, "Date"), message::format_date(kNow));
  EXPECT_EQ(field(p.top, "MIME-Version"), "1.0");
  ASSERT_TRUE(p.root.envelope.has_value());

  // RFC 3464 §2.2 per-message fields.
  ASSERT_EQ(p.blocks.size(), 2u);
  EXPECT_EQ(field(p.blocks[0], "Reporting-MTA"), "dns; mail.example.com");
  EXPECT_EQ(field(p.blocks[0], "Arrival-Date"), message::format_date(kQueued));
  // §2.3 per-recipient fields.
  const auto& r = p.blocks[1];
  EXPECT_EQ(field(r, "Final-Recipient"), "rfc822; rcpt@remote.example");
  EXPECT_EQ(field(r, "Action"), "failed");
  EXPECT_EQ(field(r, "Status"), "5.1.1");
  EXPECT_EQ(field(r, "Remote-MTA"), "dns; mx.remote.example");
  EXPECT_EQ(field(r, "Diagnostic-Code"), "smtp; 550 5.1.1 no such user here");
  EXPECT_EQ(field(r, "Last-Attempt-Date"), message::format_date(kNow));
  EXPECT_EQ(r.first("Will-Retry-Until"), nullptr);  // only for delayed (§2.3.9)

  // The original header section, as it was.
  EXPECT_EQ(p.headers.substr(0, kOriginalHeader.size()), kOriginalHeader);
  auto orig = message::parse_header(p.headers + "\r\n");
  ASSERT_TRUE(orig.ok());
  EXPECT_EQ(field(*orig, "Message-ID"), "<m1@example.com>");

  // The human-readable part names the recipient and the reason.
  EXPECT_NE(p.human.find("rcpt@remote.example"), std::string::npos);
  EXPECT_NE(p.human.find("550 5.1.1 no such user here (from mx.remote.example)"),
            std::string::npos);
  EXPECT_NE(p.human.find("failed permanently"), std::string::npos);
}

TEST(QueueDsn, DelayedHasWillRetryUntil) {
  Dsn d = failed_dsn();
  d.will_retry_until = kQueued + 57150;
  d.recipients[0].failed = false;
  d.recipients[0].status = "4.2.0";
  d.recipients[0].code = 450;
  d.recipients[0].diagnostic = "mailbox busy";
  DsnRecipient second;
  second.address = "two@remote.example";
  second.failed = false;
  second.diagnostic = "connection refused";  // no SMTP reply: no Diagnostic-Code
  d.recipients.push_back(second);
  Parsed p = parse(d);
  EXPECT_EQ(field(p.top, "Subject"), "mail delivery delayed");
  ASSERT_EQ(p.blocks.size(), 3u);
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(field(p.blocks[i], "Action"), "delayed");
    EXPECT_EQ(field(p.blocks[i], "Will-Retry-Until"), message::format_date(kQueued + 57150));
  }
  EXPECT_EQ(field(p.blocks[1], "Status"), "4.2.0");
  EXPECT_EQ(field(p.blocks[1], "Diagnostic-Code"), "smtp; 450 4.2.0 mailbox busy");
  EXPECT_EQ(field(p.blocks[2], "Final-Recipient"), "rfc822; two@remote.example");
  EXPECT_EQ(field(p.blocks[2], "Status"), "4.0.0");  // a status is required (§2.3.4)
  EXPECT_EQ(p.blocks[2].first("Diagnostic-Code"), nullptr);
  EXPECT_EQ(p.blocks[2].first("Remote-MTA"), nullptr);
  EXPECT_NE(p.human.find("has been delayed"), std::string::npos);
  EXPECT_NE(p.human.find(message::format_date(kQueued + 57150)), std::string::npos);
}

TEST(QueueDsn, FailedWithoutStatusGetsGenericOne) {
  Dsn d = failed_dsn();
  d.recipients[0].status.clear();
  d.recipients[0].code = 0;
  d.recipients[0].remote_mta.clear();
  Parsed p = parse(d);
  ASSERT_EQ(p.blocks.size(), 2u);
  EXPECT_EQ(field(p.blocks[1], "Status"), "5.0.0");
  EXPECT_EQ(p.blocks[1].first("Diagnostic-Code"), nullptr);
}

TEST(QueueDsn, Utf8AddressesUseGlobalTypes) {
  Dsn d = failed_dsn();
  d.recipients[0].address = "jösé@bücher.example";
  d.original_header = "From: <mjl@example.com>\r\nTo: <jösé@bücher.example>\r\nSubject: grüße";
  Parsed p = parse(d);
  ASSERT_EQ(p.root.parts.size(), 3u);
  // RFC 6533 §6.1, §6.3.
  EXPECT_EQ(mime_type(p.root.parts[1]), "message/global-delivery-status");
  EXPECT_EQ(mime_type(p.root.parts[2]), "message/global-headers");
  ASSERT_EQ(p.blocks.size(), 2u);
  // §3: the utf-8 address type.
  EXPECT_EQ(field(p.blocks[1], "Final-Recipient"), "utf-8; jösé@bücher.example");
  EXPECT_NE(p.headers.find("grüße"), std::string::npos);

  // A UTF-8 sender alone is enough too.
  Dsn s = failed_dsn();
  s.to = "mjø@example.com";
  Parsed ps = parse(s);
  ASSERT_EQ(ps.root.parts.size(), 3u);
  EXPECT_EQ(mime_type(ps.root.parts[1]), "message/global-delivery-status");
  EXPECT_EQ(field(ps.blocks[1], "Final-Recipient"), "utf-8; rcpt@remote.example");
}

TEST(QueueDsn, RemoteTextCannotInjectFields) {
  Dsn d = failed_dsn();
  d.recipients[0].diagnostic = "no such user\r\nX-Injected: yes\r\n\r\nAction: delivered";
  d.recipients[0].remote_mta = "mx.remote.example\r\nX-Remote: yes";
  d.original_message_id = "<m1@example.com>\r\nX-Ref: yes";
  d.original_subject = "hi\nX-Subject: yes";
  Parsed p = parse(d);
  EXPECT_EQ(p.top.first("X-Ref"), nullptr);
  EXPECT_EQ(p.top.first("X-Subject"), nullptr);
  ASSERT_EQ(p.blocks.size(), 2u);
  const auto& r = p.blocks[1];
  EXPECT_EQ(r.first("X-Injected"), nullptr);
  EXPECT_EQ(r.first("X-Remote"), nullptr);
  EXPECT_EQ(r.all("Action").size(), 1u);
  EXPECT_EQ(field(r, "Action"), "failed");
  EXPECT_EQ(field(r, "Diagnostic-Code").find("smtp; 550 5.1.1 no such user"), 0u);
  EXPECT_EQ(p.human.find("\r\nX-Injected"), std::string::npos);
  EXPECT_EQ(p.human.find("\nX-Subject"), std::string::npos);
}

TEST(QueueDsn, DeliveredToSendersInbox) {
  mox::testutil::TempDir tmp;
  auto cfg = testing::make_queue_config(tmp.path(), 25);
  ASSERT_TRUE(cfg);
  Dsn d = failed_dsn();
  auto st = deliver_dsn(*cfg, "mjl", d);
  ASSERT_TRUE(st.ok()) << st.error().message;
  // One message file in the account, a DSN to the sender.
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(cfg->account_dir("mjl") + "/msg")) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  ASSERT_EQ(files.size(), 1u);
  std::string text = mox::testutil::slurp(files[0]);
  auto root = message::parse_message(text);
  EXPECT_EQ(mime_type(root), "multipart/report");
  ASSERT_EQ(root.parts.size(), 3u);
  EXPECT_NE(text.find("Final-Recipient: rfc822; rcpt@remote.example"), std::string::npos);

  st = deliver_dsn(*cfg, "gone", d);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace mox::queue
