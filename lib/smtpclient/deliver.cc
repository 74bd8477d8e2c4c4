// Client::deliver: one mail transaction (RFC 5321 §3.3), pipelined when the
// server allows it (RFC 2920).
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpclient/internal.h"

namespace mox::smtpclient {
namespace {

constexpr size_t kChunk = 64 * 1024;

bool ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Calls `f` with each chunk of the message; an error for a failed read.
template <class F>
Status each_chunk(const Message& msg, F&& f) {
  if (msg.fd() < 0) {
    for (size_t off = 0; off < msg.data().size(); off += kChunk) {
      MOX_TRY(f(msg.data().substr(off, kChunk)));
    }
    return {};
  }
  if (!msg.prefix().empty()) MOX_TRY(f(msg.prefix()));
  std::string buf(kChunk, '\0');
  off_t off = 0;
  while (true) {
    ssize_t n = ::pread(msg.fd(), buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internal_error(std::string("reading message: ") + std::strerror(errno));
    if (n == 0) return {};
    MOX_TRY(f(std::string_view(buf.data(), static_cast<size_t>(n))));
    off += n;
  }
}

std::string path(const std::optional<smtp::Address>& a) { return "<" + (a ? a->str() : "") + ">"; }

}  // namespace

std::optional<Failure> Delivery::result(size_t i) const {
  if (i < rcpts.size() && !rcpts[i].accepted()) return reply_failure(Stage::kRcpt, rcpts[i].reply);
  if (failure) return failure;
  if (i >= rcpts.size() || !data)
    return smtpclient::failure(Stage::kData, false, "message not sent");
  return std::nullopt;
}

namespace {

// The checks before MAIL: what the message needs from the server. Returns
// the MAIL command line or a permanent failure.
Outcome<std::string> mail_command(const Envelope& env, const MessageInfo& info,
                                  const Extensions& ext, bool tls) {
  if (env.rcpts.empty()) return failure(Stage::kRcpt, true, "no recipients");
  bool utf8 = env.smtputf8 || (env.mail_from && !ascii(env.mail_from->str()));
  for (const auto& r : env.rcpts) utf8 = utf8 || !ascii(r.str());
  // RFC 6531 §3.4 / RFC 6152 §3: without the extension the server cannot
  // take the message; sending it anyway would corrupt or misroute it.
  if (utf8 && !ext.smtputf8) {
    return failure(Stage::kMail, true, "server lacks SMTPUTF8, which this message needs");
  }
  if (info.eight_bit && !ext.eightbitmime) {
    return failure(Stage::kMail, true, "server lacks 8BITMIME, which this 8-bit message needs");
  }
  // RFC 1870 §6.1: do not send what the server has said it will refuse.
  if (ext.size && *ext.size > 0 && info.size > *ext.size) {
    return failure(Stage::kMail, true,
                   "message of " + std::to_string(info.size) + " bytes exceeds the server's SIZE " +
                       std::to_string(*ext.size));
  }
  // RFC 8689 §4.2.1: only over TLS, to a server that announced REQUIRETLS.
  if (env.require_tls && (!tls || !ext.requiretls)) {
    return failure(Stage::kMail, true,
                   "server lacks REQUIRETLS (or TLS), which this message requires");
  }
  std::string line = "MAIL FROM:" + path(env.mail_from);
  if (info.eight_bit) line += " BODY=8BITMIME";
  if (utf8) line += " SMTPUTF8";
  if (ext.size) line += " SIZE=" + std::to_string(info.size);  // RFC 1870 §6
  if (env.require_tls) line += " REQUIRETLS";
  return line + "\r\n";
}

}  // namespace

Delivery Client::deliver(const Envelope& env, const Message& msg) {
  State& s = *s_;
  Delivery d;
  auto fail = [&](Failure f) {
    s.log("not delivered from " + path(env.mail_from) + ": " + f.message);
    d.failure = std::move(f);
    return d;
  };
  if (!s.usable) return fail(failure(Stage::kMail, false, "connection not usable"));
  if (s.need_rset) {
    // RFC 5321 §4.1.1.5: end the earlier, unfinished transaction.
    auto r = s.command(Stage::kMail, "RSET", s.opts.timeouts.command);
    if (!r) return fail(std::move(r).error());
    if (r->code != 250) {
      s.usable = false;
      return fail(reply_failure(Stage::kMail, std::move(*r)));
    }
    s.need_rset = false;
  }
  MessageInfo info;
  if (auto st = each_chunk(msg,
                           [&](std::string_view c) {
                             scan_message(c, info);
                             return Status();
                           });
      !st) {
    return fail(failure(Stage::kMail, false, st.error().message));
  }
  auto mail = mail_command(env, info, s.ext, s.conn.tls());
  if (!mail) return fail(std::move(mail).error());

  // RFC 2920 §3.1: MAIL, every RCPT and DATA in one write, then the replies
  // in order. Without PIPELINING one command at a time.
  const Timeouts& t = s.opts.timeouts;
  std::vector<std::string> rcpt_lines;
  for (const auto& r : env.rcpts) rcpt_lines.push_back("RCPT TO:<" + r.str() + ">\r\n");
  const bool pipe = s.ext.pipelining;
  if (pipe) {
    std::string batch = *mail;
    for (const auto& l : rcpt_lines) batch += l;
    batch += "DATA\r\n";
    if (auto f = s.write(Stage::kMail, batch, t.mail)) return fail(*f);
  } else if (auto f = s.write(Stage::kMail, *mail, t.mail)) {
    return fail(*f);
  }
  s.need_rset = true;
  auto mr = s.read_reply(Stage::kMail, t.mail);
  if (!mr) return fail(std::move(mr).error());
  bool mail_ok = mr->code == 250;
  // Without pipelining, or with a 421 (the server is closing, RFC 5321
  // §3.8), the replies that would follow are not read.
  if (!mail_ok && (!pipe || !s.usable)) return fail(reply_failure(Stage::kMail, std::move(*mr)));

  size_t accepted = 0;
  for (size_t i = 0; i < env.rcpts.size(); i++) {
    if (!pipe) {
      if (auto f = s.write(Stage::kRcpt, rcpt_lines[i], t.rcpt)) return fail(*f);
    }
    auto rr = s.read_reply(Stage::kRcpt, t.rcpt);
    if (!rr) return fail(std::move(rr).error());
    if (!s.usable) return fail(reply_failure(Stage::kRcpt, std::move(*rr)));  // 421
    if (rr->code / 100 == 2) accepted++;
    if (mail_ok) d.rcpts.push_back(RcptResult{env.rcpts[i], std::move(*rr)});
  }
  if (!pipe && accepted == 0) {
    s.log("all recipients refused, from " + path(env.mail_from));
    return d;  // RSET before the next transaction
  }
  Reply dr;
  if (pipe) {
    auto r = s.read_reply(Stage::kData, t.data_init);
    if (!r) return fail(std::move(r).error());
    dr = std::move(*r);
  } else {
    auto r = s.command(Stage::kData, "DATA", t.data_init);
    if (!r) return fail(std::move(r).error());
    dr = std::move(*r);
  }
  if (dr.code == 354 && (accepted == 0 || !mail_ok)) {
    // RFC 2920 §3.1: a server that said 354 although nothing can be
    // delivered gets an empty message, which it must then refuse.
    if (auto f = s.write(Stage::kDot, ".\r\n", t.data_block)) return fail(*f);
    (void)s.read_reply(Stage::kDot, t.data_end);
  }
  if (!mail_ok) return fail(reply_failure(Stage::kMail, std::move(*mr)));
  if (accepted == 0) {
    s.log("all recipients refused, from " + path(env.mail_from));
    return d;
  }
  if (dr.code != 354) return fail(reply_failure(Stage::kData, std::move(dr)));

  // RFC 5321 §4.5.3.2.5: each block of data within its timeout.
  DataEncoder enc;
  std::string out;
  std::optional<Failure> write_failure;
  auto st = each_chunk(msg, [&](std::string_view c) -> Status {
    out.clear();
    enc.encode(c, out);
    write_failure = s.write(Stage::kDot, out, t.data_block);
    if (write_failure) return Error(*write_failure);
    return {};
  });
  if (write_failure) return fail(*write_failure);
  if (!st) {
    // A local read error: the server must not take a truncated message, so
    // the connection is dropped without the final dot.
    s.usable = false;
    s.conn.shutdown();
    return fail(failure(Stage::kDot, false, st.error().message));
  }
  out.clear();
  enc.finish(out);
  if (auto f = s.write(Stage::kDot, out, t.data_block)) return fail(*f);
  auto fr = s.read_reply(Stage::kDot, t.data_end);  // §4.5.3.2.6
  if (!fr) return fail(std::move(fr).error());
  s.need_rset = false;
  if (fr->code != 250) return fail(reply_failure(Stage::kDot, std::move(*fr)));
  d.data = std::move(*fr);
  for (const auto& r : d.rcpts) {
    s.log("rcpt " + path(r.rcpt) + ": " + r.reply.str());
  }
  s.log("delivered from " + path(env.mail_from) + ": " + d.data->str());
  return d;
}

}  // namespace mox::smtpclient
