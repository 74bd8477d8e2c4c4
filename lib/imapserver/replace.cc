// REPLACE and UID REPLACE (RFC 8508): APPEND of the new message, then the
// old one expunged from the selected mailbox.
#include <variant>

#include "imapserver/session.h"

namespace mox::imapserver {

using imap::Condition;

// RFC 8508 §3.3. The new message is stored first; then the old one gets
// \Deleted and is expunged (UID EXPUNGE of it alone). Should that fail, the
// new message is taken back (store::undeliver), so the client sees either
// the replacement or nothing changed: as atomic as the store's separate
// transactions allow.
void Session::cmd_replace(imap::Command& c, Output& out) {
  auto& a = std::get<imap::ReplaceArgs>(c.args);
  if (read_only_) return respond(out, c.tag, Condition::kNo, "READ-ONLY", "mailbox is read-only");
  size_t i = c.uid ? index_of_uid(a.number) : a.number - 1;
  if (i >= msgs_.size()) {
    return respond(out, c.tag, Condition::kNo, "", "no such message to replace");
  }
  int64_t old_uid = msgs_[i].uid;
  auto mb = mailstore_->find_mailbox(a.mailbox);
  if (!mb || !*mb)
    return respond(out, c.tag, Condition::kNo, "TRYCREATE", "mailbox does not exist");
  auto d = append_one(**mb, a.message, out, c.tag);
  if (!d) return;
  store::MessageFlags del;
  del.bits = store::kFlagDeleted;
  auto st =
      mailstore_->store_flags(mailbox_->id, {old_uid}, store::FlagOp::kAdd, del, std::nullopt);
  Result<std::vector<int64_t>> gone =
      st ? mailstore_->expunge(mailbox_->id, std::vector<int64_t>{old_uid})
         : Result<std::vector<int64_t>>(st.error());
  if (!gone) {
    (void)mailstore_->undeliver(*d);
    return store_failure(out, c.tag, gone.error(), "");
  }
  for (const auto& row : st->updated) {
    size_t k = index_of_uid(row.uid);
    if (k < msgs_.size()) msgs_[k].modseq = row.modseq;
  }
  // RFC 8508 §3.3: APPENDUID in an untagged OK, then EXISTS (when the
  // target is the selected mailbox) and the old message's EXPUNGE.
  out.reply += "* OK [APPENDUID " + std::to_string((*mb)->uidvalidity) + " " +
               std::to_string(d->uid) + "] replacement message ready\r\n";
  updates(out, false);
  report_expunged(out, *gone);
  updates(out, true);
  respond(out, c.tag, Condition::kOk, "", "replace done");
}

}  // namespace mox::imapserver
