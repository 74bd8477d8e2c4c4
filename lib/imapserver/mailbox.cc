// Commands of the authenticated state (RFC 9051 §6.3).
#include "store/mailbox.h"

#include <strings.h>

#include <algorithm>
#include <variant>

#include "imapserver/mailbox_text.h"
#include "imapserver/session.h"
#include "message/binaryparts.h"

namespace mox::imapserver {

using imap::Condition;

std::string status_items(Mailstore& st, const store::Mailbox& mb,
                         const std::vector<imap::StatusItem>& items, int64_t append_limit) {
  auto msgs = st.list_messages(mb.id);
  int64_t n = 0, unseen = 0, deleted = 0, size = 0, deleted_size = 0, recent = 0;
  // Messages no session has had as \Recent (store/recent.h).
  auto recent_mark = st.recent_uid(mb.id);
  if (msgs) {
    for (const auto& m : *msgs) {
      bool del = (m.flags.bits & store::kFlagDeleted) != 0;
      ++n;
      recent += recent_mark && m.uid > *recent_mark;
      unseen += (m.flags.bits & store::kFlagSeen) == 0;
      deleted += del;
      size += m.size;
      deleted_size += del ? m.size : 0;
    }
  }
  std::string out;
  for (auto it : items) {
    int64_t v = 0;
    switch (it) {
      case imap::StatusItem::kMessages:
        v = n;
        break;
      case imap::StatusItem::kUidNext:
        v = mb.uidnext;
        break;
      case imap::StatusItem::kUidValidity:
        v = mb.uidvalidity;
        break;
      case imap::StatusItem::kUnseen:
        v = unseen;
        break;
      case imap::StatusItem::kDeleted:
        v = deleted;
        break;
      case imap::StatusItem::kSize:
        v = size;
        break;
      case imap::StatusItem::kRecent:
        v = recent;
        break;
      case imap::StatusItem::kHighestModSeq:
        v = mb.modseq;
        break;
      case imap::StatusItem::kAppendLimit:
        v = append_limit;
        break;
      // RFC 9208 §4.2.2: what EXPUNGE would free, in units of 1024 octets
      // like the STORAGE resource (§5.1).
      case imap::StatusItem::kDeletedStorage:
        v = (deleted_size + 1023) / 1024;
        break;
    }
    out +=
        std::string(out.empty() ? "" : " ") + imap::status_item_name(it) + " " + std::to_string(v);
  }
  return out;
}

std::string quoted_mailbox(const std::string& name, bool utf8) {
  imap::ResponseWriter w(utf8);
  w.mailbox(name);
  return w.take();
}

// RFC 3501 §5.1.3: such a name can neither exist nor be made; NO as for a
// missing mailbox (SELECT, STATUS, APPEND, COPY...), CANNOT for CREATE and
// RENAME (RFC 5530 §3).
void Session::invalid_name(imap::Command& c, Output& out) {
  bool make = c.verb == imap::Verb::kCreate || c.verb == imap::Verb::kRename;
  respond(out, c.tag, Condition::kNo, make ? "CANNOT" : "NONEXISTENT",
          "mailbox name is not valid modified UTF-7: " + c.invalid_name);
}

void Session::cmd_select(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SelectArgs>(c.args);
  if (a.qresync && !qresync_) return bad(out, c.tag, "QRESYNC parameter requires ENABLE QRESYNC");
  if (a.condstore && capability_disabled("CONDSTORE"))
    return bad(out, c.tag, "CONDSTORE is disabled");
  close_mailbox(false);
  state_ = State::kAuthenticated;
  auto mb = mailstore_->find_mailbox(a.mailbox);
  if (!mb || !*mb)
    return respond(out, c.tag, Condition::kNo, "NONEXISTENT", "mailbox does not exist");
  if (a.condstore || a.qresync) condstore_ = true;
  // The modseq first: a message added meanwhile is then reported by the
  // next changes_since(), not missed (store/messages.h list_messages).
  auto hm = mailstore_->highest_modseq();
  auto msgs = mailstore_->list_messages((*mb)->id);
  if (!msgs) return store_failure(out, c.tag, msgs.error(), "");
  if (!hm) return store_failure(out, c.tag, hm.error(), "");
  mailbox_ = **mb;
  read_only_ = c.verb == imap::Verb::kExamine;
  msgs_.clear();
  for (const auto& r : *msgs) msgs_.push_back({r.uid, r.id, r.modseq, r.size, r.received, r.flags});
  modseq_ = *hm;
  saved_.clear();
  state_ = State::kSelected;
  keywords_.clear();
  for (const Msg& m : msgs_) keywords_.insert(m.flags.keywords.begin(), m.flags.keywords.end());
  recent_on_select();
  out.reply += flags_responses();
  out.reply += "* " + std::to_string(msgs_.size()) + " EXISTS\r\n";
  if (!rev2_) {
    // RFC 3501 §6.3.1: RECENT, and UNSEEN with the first unseen message.
    out.reply += "* " + std::to_string(recent_count()) + " RECENT\r\n";
    for (size_t i = 0; i < msgs_.size(); ++i) {
      if (msgs_[i].flags.bits & store::kFlagSeen) continue;
      out.reply += "* OK [UNSEEN " + std::to_string(i + 1) + "] x\r\n";
      break;
    }
  }
  out.reply += "* OK [UIDVALIDITY " + std::to_string(mailbox_->uidvalidity) + "] x\r\n";
  out.reply += "* OK [UIDNEXT " + std::to_string(mailbox_->uidnext) + "] x\r\n";
  if (condstore_) out.reply += "* OK [HIGHESTMODSEQ " + std::to_string(modseq_) + "] x\r\n";
  if (a.qresync && a.qresync->uidvalidity == mailbox_->uidvalidity) {
    // RFC 7162 §3.2.5.2: what the client missed since its modseq.
    auto ch = mailstore_->changes_since(mailbox_->id, static_cast<int64_t>(a.qresync->modseq));
    if (ch) {
      std::vector<uint32_t> gone;
      for (int64_t uid : ch->expunged) {
        if (!a.qresync->known_uids ||
            a.qresync->known_uids->contains(static_cast<uint32_t>(uid),
                                            static_cast<uint32_t>(mailbox_->uidnext))) {
          gone.push_back(static_cast<uint32_t>(uid));
        }
      }
      if (!gone.empty()) {
        out.reply +=
            "* VANISHED (EARLIER) " + imap::SequenceSet::from_numbers(gone).to_string() + "\r\n";
      }
      for (const auto& r : ch->changed) {
        for (size_t i = 0; i < msgs_.size(); ++i) {
          if (msgs_[i].uid != r.uid) continue;
          out.reply += fetch_head(i) + "UID " + std::to_string(r.uid) + " FLAGS " +
                       flags_text(flag_names(r.flags, msgs_[i].recent)) + " MODSEQ (" +
                       std::to_string(r.modseq) + "))\r\n";
        }
      }
    }
  }
  respond(out, c.tag, Condition::kOk, read_only_ ? "READ-ONLY" : "READ-WRITE",
          read_only_ ? "examine done" : "select done");
}

void Session::cmd_create(imap::Command& c, Output& out) {
  auto& a = std::get<imap::CreateArgs>(c.args);
  static const char* kUses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                "\\Junk", "\\Sent",    "\\Trash"};
  std::string use;
  for (const auto& u : a.special_use) {
    bool known = false;
    for (const char* k : kUses) {
      if (strcasecmp(u.c_str(), k) == 0) {
        known = true;
        use = k;
      }
    }
    // RFC 6154 §3: an unknown or unsupported use is refused.
    if (!known || a.special_use.size() > 1) {
      return respond(out, c.tag, Condition::kNo, "USEATTR", "unsupported special-use attribute");
    }
  }
  // RFC 9051 §6.3.4: a trailing separator declares that names will be made
  // below; the name is made without it.
  std::string name = a.mailbox;
  if (name.size() > 1 && name.back() == '/') name.pop_back();
  auto r = mailstore_->create_mailbox(name, use);
  if (!r && r.error().message == "mailbox already exists") {
    return respond(out, c.tag, Condition::kNo, "ALREADYEXISTS", r.error().message);
  }
  if (!r) return store_failure(out, c.tag, r.error(), "NONEXISTENT");
  respond(out, c.tag, Condition::kOk, "", "create done");
}

void Session::cmd_delete(imap::Command& c, Output& out) {
  auto& a = std::get<imap::MailboxArgs>(c.args);
  if (mailbox_ && store::normalize_mailbox_name(a.mailbox).ok() &&
      *store::normalize_mailbox_name(a.mailbox) == mailbox_->name) {
    close_mailbox(false);
    state_ = State::kAuthenticated;
  }
  auto r = mailstore_->delete_mailbox(a.mailbox);
  if (!r) return store_failure(out, c.tag, r.error(), "NONEXISTENT");
  respond(out, c.tag, Condition::kOk, "", "delete done");
}

void Session::cmd_rename(imap::Command& c, Output& out) {
  auto& a = std::get<imap::RenameArgs>(c.args);
  auto r = mailstore_->rename_mailbox(a.from, a.to);
  if (!r) return store_failure(out, c.tag, r.error(), "NONEXISTENT");
  respond(out, c.tag, Condition::kOk, "", "rename done");
}

void Session::cmd_subscribe(imap::Command& c, Output& out) {
  bool sub = c.verb == imap::Verb::kSubscribe;
  auto& a = std::get<imap::MailboxArgs>(c.args);
  auto r = mailstore_->set_subscribed(a.mailbox, sub);
  if (!r) return store_failure(out, c.tag, r.error(), "NONEXISTENT");
  respond(out, c.tag, Condition::kOk, "", sub ? "subscribe done" : "unsubscribe done");
}

void Session::cmd_status(imap::Command& c, Output& out) {
  auto& a = std::get<imap::StatusArgs>(c.args);
  // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) enables CONDSTORE.
  if (std::find(a.items.begin(), a.items.end(), imap::StatusItem::kHighestModSeq) != a.items.end())
    enable_condstore(out);
  auto mb = mailstore_->find_mailbox(a.mailbox);
  if (!mb || !*mb)
    return respond(out, c.tag, Condition::kNo, "NONEXISTENT", "mailbox does not exist");
  out.reply += "* STATUS " + quoted_mailbox((*mb)->name, utf8_) + " (" +
               status_items(*mailstore_, **mb, a.items, s_.max_append) + ")\r\n";
  respond(out, c.tag, Condition::kOk, "", "status done");
}

void Session::cmd_append(imap::Command& c, Output& out) {
  auto& a = std::get<imap::AppendArgs>(c.args);
  auto mb = mailstore_->find_mailbox(a.mailbox);
  if (!mb || !*mb)
    return respond(out, c.tag, Condition::kNo, "TRYCREATE", "mailbox does not exist");
  std::vector<uint32_t> uids;
  // RFC 3502 §6.3.11: with several messages, all are appended or none; those
  // stored before a failure are taken back (tombstones, as for SMTP).
  std::vector<store::Delivered> added;
  auto fail = [&] {
    for (const auto& d : added) (void)mailstore_->undeliver(d);
  };
  for (auto& m : a.messages) {
    auto d = append_one(**mb, m, out, c.tag);
    if (!d) return fail();
    added.push_back(*d);
    uids.push_back(static_cast<uint32_t>(d->uid));
  }
  if (state_ == State::kSelected) updates(out, false);
  respond(out, c.tag, Condition::kOk,
          "APPENDUID " + std::to_string((*mb)->uidvalidity) + " " +
              imap::SequenceSet::from_numbers(uids).to_string(),
          "append done");
}

}  // namespace mox::imapserver
