// The NOTIFY (RFC 5465) and COMPRESS (RFC 4978) commands, and the
// notifications sent outside commands while NOTIFY is set (imapserver/
// notify.h; server.cc waits on the account's change notification for them
// as it does in IDLE).
#include <algorithm>
#include <variant>

#include "imapserver/session.h"

namespace mox::imapserver {

using imap::Condition;

// RFC 4978 §3: the tagged OK is the last uncompressed response; the driver
// (server.cc) starts compressing both ways once it is written.
void Session::cmd_compress(imap::Command& c, Output& out) {
  auto& a = std::get<imap::CompressArgs>(c.args);
  if (capability_disabled("COMPRESS=DEFLATE")) return bad(out, c.tag, "COMPRESS is disabled");
  if (compress_) {
    return respond(out, c.tag, Condition::kNo, "COMPRESSIONACTIVE", "compression already active");
  }
  if (a.mechanism != "DEFLATE") return bad(out, c.tag, "unknown compression mechanism");
  respond(out, c.tag, Condition::kOk, "", "deflate active");
  compress_ = true;
  out.compress = true;
}

void Session::cmd_notify(imap::Command& c, Output& out) {
  auto& a = std::get<imap::NotifyArgs>(c.args);
  if (capability_disabled("NOTIFY")) return bad(out, c.tag, "NOTIFY is disabled");
  if (a.none) {
    notify_.reset();
    return respond(out, c.tag, Condition::kOk, "", "notify done");
  }
  if (auto r = check_notify(a)) {
    if (r->bad) return bad(out, c.tag, r->text);
    return respond(out, c.tag, Condition::kNo, "BADEVENT (" + std::string(kNotifyEvents) + ")",
                   r->text);
  }
  auto snap = read_snapshot(*mailstore_, nullptr);
  if (!snap) return store_failure(out, c.tag, snap.error(), "");
  auto set = std::make_unique<NotifySet>(a);
  if (a.status) {
    for (const auto& line : set->initial_status(*snap, mailbox_ ? mailbox_->id : 0, utf8_)) {
      out.reply += line + "\r\n";
    }
  }
  notify_ = std::move(set);
  notify_snap_ = std::move(*snap);
  respond(out, c.tag, Condition::kOk, "", "notify done");
}

void Session::notify_updates(Output& out) {
  if (state_ == State::kSelected) notify_selected(out);
  if (!notify_) return;
  auto snap = read_snapshot(*mailstore_, &notify_snap_);
  if (!snap) return backend_.log_error(account_ + ": notify: " + snap.error().message);
  auto lines = notify_->changes(notify_snap_, *snap, mailbox_ ? mailbox_->id : 0, utf8_);
  notify_snap_ = std::move(*snap);
  if (lines.size() > s_.max_notifications) {
    // RFC 5465 §5.8: the client re-reads what it needs; NOTIFY is off now.
    out.reply += "* OK [NOTIFICATIONOVERFLOW] too many changes, notifications are off\r\n";
    notify_.reset();
    return;
  }
  for (const auto& line : lines) out.reply += line + "\r\n";
}

// RFC 5465 §6: with "selected", the selected mailbox's changes go out at
// once, expunges too; with "selected-delayed", expunges wait for a command
// that allows them (RFC 9051 §7.5.1); without either, everything waits for
// the next command, as without NOTIFY. IDLE reports all, as always.
void Session::notify_selected(Output& out) {
  const imap::NotifyGroup* g = notify_ ? notify_->selected() : nullptr;
  bool idle = idle_tag_.has_value();
  if (!idle && (g == nullptr || g->events.empty())) return;
  bool expunges = idle || g->filter.kind == imap::NotifyFilter::Kind::kSelected;
  int64_t last_uid = msgs_.empty() ? 0 : msgs_.back().uid;
  updates(out, expunges);
  std::vector<imap::FetchAtt> atts =
      notify_ ? notify_->new_message_atts() : std::vector<imap::FetchAtt>{};
  if (atts.empty()) return;
  // RFC 5465 §5.1: MessageNew's fetch attributes for each new message, as
  // with .PEEK (a notification never sets \Seen).
  bool want_forms = std::any_of(atts.begin(), atts.end(), [](const imap::FetchAtt& x) {
    using K = imap::FetchAtt::Kind;
    return x.kind == K::kEnvelope || x.kind == K::kBodyStructure || x.kind == K::kBody;
  });
  auto first = std::partition_point(msgs_.begin(), msgs_.end(),
                                    [&](const Msg& m) { return m.uid <= last_uid; });
  for (auto i = static_cast<size_t>(first - msgs_.begin()); i < msgs_.size(); ++i) {
    std::optional<store::FetchForms> forms;
    if (want_forms) {
      auto f = mailstore_->fetch_forms({msgs_[i].id});
      if (f && f->size() == 1) forms = std::move(f->front());
    }
    bool set_seen = false;
    out.reply += fetch_one(i, atts, false, forms ? &*forms : nullptr, set_seen);
  }
}

}  // namespace mox::imapserver
