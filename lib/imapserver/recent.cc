// \Recent for IMAP4rev1 sessions (RFC 3501 §2.3.2; store/recent.h): a
// read-write SELECT claims the messages no session has had as recent, and so
// does the selected session that first learns of new messages; EXAMINE
// shows the unclaimed ones as recent without claiming them. A session that
// enabled IMAP4rev2 (RFC 9051 has no \Recent) never claims.
#include <algorithm>

#include "imapserver/session.h"

namespace mox::imapserver {

bool Session::claimed_recent(int64_t uid) const {
  return std::any_of(claims_.begin(), claims_.end(),
                     [&](const store::RecentClaim& c) { return uid > c.after && uid <= c.upto; });
}

void Session::recent_on_select() {
  claims_.clear();
  if (rev2_ || !mailbox_) return;
  if (read_only_) {
    auto mark = mailstore_->recent_uid(mailbox_->id);
    if (!mark) return;
    // Shown, not claimed: a later SELECT still gets them.
    claims_.push_back({*mark, INT64_MAX});
  } else {
    auto c = mailstore_->claim_recent(mailbox_->id);
    if (!c) return backend_.log_error(c.error().message);
    claims_.push_back(*c);
  }
  for (Msg& m : msgs_) m.recent = claimed_recent(m.uid);
}

void Session::recent_for_new(size_t first) {
  if (rev2_ || first >= msgs_.size()) return;
  if (!read_only_ && !claimed_recent(msgs_.back().uid)) {
    // Claimed after the changes were read: a message delivered in between is
    // in a later update, and found recent then by the claim kept here.
    auto c = mailstore_->claim_recent(mailbox_->id);
    if (!c) return backend_.log_error(c.error().message);
    if (c->upto > c->after) claims_.push_back(*c);
  }
  for (size_t i = first; i < msgs_.size(); ++i) msgs_[i].recent = claimed_recent(msgs_[i].uid);
}

std::vector<int64_t> Session::recent_uids() const {
  std::vector<int64_t> uids;  // ascending, as msgs_
  for (const Msg& m : msgs_) {
    if (m.recent) uids.push_back(m.uid);
  }
  return uids;
}

size_t Session::recent_count() const {
  return static_cast<size_t>(
      std::count_if(msgs_.begin(), msgs_.end(), [](const Msg& m) { return m.recent; }));
}

}  // namespace mox::imapserver
