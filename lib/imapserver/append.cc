// One message of APPEND and REPLACE, with the parts of CATENATE (RFC 4469)
// taken from the messages of the account that their IMAP URLs (RFC 5092)
// name.
#include <variant>

#include "imap/imapurl.h"
#include "imapserver/session.h"
#include "message/binaryparts.h"
#include "message/mime.h"
#include "message/section.h"

namespace mox::imapserver {

using imap::Condition;

std::optional<std::string> Session::url_data(std::string_view url) {
  auto u = imap::parse_imap_url(url);
  if (!u) return std::nullopt;
  std::optional<store::Mailbox> mb;
  if (u->mailbox) {
    auto f = mailstore_->find_mailbox(*u->mailbox);
    if (!f || !*f) return std::nullopt;
    mb = **f;
  } else if (mailbox_) {
    mb = *mailbox_;  // RFC 5092 §7: relative to the selected mailbox
  } else {
    return std::nullopt;
  }
  if (u->uidvalidity && *u->uidvalidity != mb->uidvalidity) return std::nullopt;
  auto msgs = mailstore_->list_messages(mb->id);
  if (!msgs) return std::nullopt;
  int64_t id = 0;
  for (const auto& r : *msgs) {
    if (r.uid == u->uid) id = r.id;
  }
  if (id == 0) return std::nullopt;
  auto d = mailstore_->message_data(id);
  if (!d) return std::nullopt;
  std::string data = std::move(*d);
  if (!u->section.empty()) {
    message::Part root = message::parse_message(data);
    auto s = message::section(data, root, u->section);
    if (!s) return std::nullopt;
    data = std::move(*s);
  }
  if (u->partial_offset) {
    uint64_t off = *u->partial_offset;
    data = off >= data.size() ? std::string()
                              : data.substr(off, u->partial_length.value_or(data.size()));
  }
  return data;
}

std::optional<Session::AppendRefusal> Session::catenate(
    const std::vector<imap::CatenatePart>& parts, std::string& data) {
  data.clear();
  for (const auto& p : parts) {
    if (!p.url) {
      data += p.text;
    } else if (auto d = url_data(p.text)) {
      data += *d;
    } else {
      // RFC 4469 §5: the URL that could not be used, as a quoted string.
      imap::ResponseWriter w(true);
      w.string(p.text);
      return AppendRefusal{"BADURL " + w.take(), "url does not name a message of this account"};
    }
    if (static_cast<int64_t>(data.size()) > s_.max_append) {
      return AppendRefusal{"TOOBIG", "message too large"};  // RFC 4469 §5, RFC 7889 §4
    }
  }
  return std::nullopt;
}

std::optional<store::Delivered> Session::append_one(const store::Mailbox& mb,
                                                    imap::AppendMessage& m, Output& out,
                                                    const std::string& tag) {
  auto flags = store::parse_flags(m.flags);
  if (!flags) {
    bad(out, tag, flags.error().message);
    return std::nullopt;
  }
  if (m.catenate) {
    if (auto r = catenate(*m.catenate, m.data)) {
      respond(out, tag, Condition::kNo, r->code, r->text);
      return std::nullopt;
    }
  }
  // A binary literal: NUL-holding parts stored as base64 (message/binaryparts.h).
  if (m.binary) m.data = message::base64_binary_parts(m.data);
  int64_t received = m.internal_date ? m.internal_date->unix_time() : 0;
  // NO [OVERQUOTA], RFC 9208 §4.3
  auto d =
      mailstore_->append(mb.name, m.data, *flags, received, backend_.quota_message_size(account_));
  if (!d) {
    store_failure(out, tag, d.error(), "TRYCREATE");
    return std::nullopt;
  }
  return *d;
}

}  // namespace mox::imapserver
