// Commands of the authenticated state (RFC 9051 §6.3).
#include "store/mailbox.h"

#include <strings.h>

#include <map>
#include <set>
#include <variant>

#include "imap/listpattern.h"
#include "imapserver/session.h"

namespace mox::imapserver {
namespace {

using imap::Condition;

std::string fold_inbox(std::string s) {
  if (s.size() >= 5 && strncasecmp(s.data(), "inbox", 5) == 0 && (s.size() == 5 || s[5] == '/')) {
    s.replace(0, 5, "Inbox");
  }
  return s;
}

std::string status_items(Mailstore& st, const store::Mailbox& mb,
                         const std::vector<imap::StatusItem>& items, int64_t append_limit) {
  auto msgs = st.list_messages(mb.id);
  int64_t n = 0, unseen = 0, deleted = 0, size = 0, deleted_size = 0;
  if (msgs) {
    for (const auto& m : *msgs) {
      bool del = (m.flags.bits & store::kFlagDeleted) != 0;
      ++n;
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
        v = 0;
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

}  // namespace

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
  std::string sys =
      "\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded $Junk $NotJunk $Phishing $MDNSent";
  out.reply += "* FLAGS (" + sys + ")\r\n";
  out.reply += "* OK [PERMANENTFLAGS (" + sys + (read_only_ ? "" : " \\*") + ")] x\r\n";
  out.reply += "* " + std::to_string(msgs_.size()) + " EXISTS\r\n";
  if (!utf8_) out.reply += "* 0 RECENT\r\n";
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
          out.reply += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(r.uid) +
                       " FLAGS " + flags_text(flag_names(r.flags)) + " MODSEQ (" +
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
  auto r = mailstore_->create_mailbox(a.mailbox, use);
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

void Session::cmd_list(imap::Command& c, Output& out) {
  auto& a = std::get<imap::ListArgs>(c.args);
  if (a.patterns.size() == 1 && a.patterns[0].empty()) {
    out.reply += "* LIST (\\Noselect) \"/\" \"\"\r\n";  // RFC 9051 §6.3.9: the delimiter
    return respond(out, c.tag, Condition::kOk, "", "list done");
  }
  for (const auto& p : a.patterns) {
    if (a.reference.size() + p.size() > imap::kMaxListPattern) {
      return respond(out, c.tag, Condition::kNo, "LIMIT", "pattern too long");
    }
  }
  auto mbs = mailstore_->list_mailboxes();
  auto subs = mailstore_->list_subscriptions();
  if (!mbs) return store_failure(out, c.tag, mbs.error(), "");
  if (!subs) return store_failure(out, c.tag, subs.error(), "");
  // Every name: the mailboxes, and subscriptions of mailboxes that do not
  // exist (\NonExistent, RFC 5258 §3.4), in name order.
  std::map<std::string, const store::Mailbox*> names;
  for (const auto& mb : *mbs) names[mb.name] = &mb;
  std::set<std::string> subscribed(subs->begin(), subs->end());
  for (const auto& n : *subs) names.emplace(n, nullptr);
  auto matches = [&](const std::string& name) {
    for (const auto& p : a.patterns) {
      if (imap::list_match(fold_inbox(a.reference + p), name)) return true;
    }
    return false;
  };
  CommandBudget budget(backend_, s_.command_budget, true);
  for (const auto& [name, mb] : names) {
    if (!budget.step()) return over_budget(out, c.tag, budget, "list");
    if (!matches(name)) continue;
    bool sub = subscribed.count(name) > 0;
    bool child_sub = false;  // RECURSIVEMATCH: a subscribed descendant
    bool children = false;
    for (const auto& [other, omb] : names) {
      if (other.compare(0, name.size() + 1, name + "/") != 0) continue;
      children |= omb != nullptr;
      child_sub |= subscribed.count(other) > 0;
    }
    if (a.select_subscribed && !sub && !(a.select_recursive_match && child_sub)) continue;
    if (!mb && !a.select_subscribed) continue;
    if (a.select_special_use && (!mb || mb->special_use.empty())) continue;
    std::string attrs;
    auto add = [&](const std::string& x) { attrs += (attrs.empty() ? "" : " ") + x; };
    if (!mb) add("\\NonExistent");
    add(children ? "\\HasChildren" : "\\HasNoChildren");
    if (mb && !mb->special_use.empty()) add(mb->special_use);
    if ((a.return_subscribed || a.select_subscribed) && sub) add("\\Subscribed");
    std::string line = "* LIST (" + attrs + ") \"/\" " + quoted_mailbox(name, utf8_);
    if (a.select_recursive_match && a.select_subscribed && child_sub) {
      line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";  // RFC 5258 §3.5
    }
    out.reply += line + "\r\n";
    if (a.return_status && mb) {
      out.reply += "* STATUS " + quoted_mailbox(name, utf8_) + " (" +
                   status_items(*mailstore_, *mb, *a.return_status, s_.max_append) + ")\r\n";
    }
  }
  respond(out, c.tag, Condition::kOk, "", "list done");
}

void Session::cmd_lsub(imap::Command& c, Output& out) {
  auto& a = std::get<imap::LsubArgs>(c.args);
  if (a.reference.size() + a.pattern.size() > imap::kMaxListPattern) {
    return respond(out, c.tag, Condition::kNo, "LIMIT", "pattern too long");
  }
  auto mbs = mailstore_->list_mailboxes();
  if (!mbs) return store_failure(out, c.tag, mbs.error(), "");
  for (const auto& mb : *mbs) {
    if (!mb.subscribed || !imap::list_match(fold_inbox(a.reference + a.pattern), mb.name)) continue;
    out.reply += "* LSUB () \"/\" " + quoted_mailbox(mb.name, utf8_) + "\r\n";
  }
  respond(out, c.tag, Condition::kOk, "", "lsub done");
}

void Session::cmd_status(imap::Command& c, Output& out) {
  auto& a = std::get<imap::StatusArgs>(c.args);
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
    auto flags = store::parse_flags(m.flags);
    if (!flags) {
      fail();
      return bad(out, c.tag, flags.error().message);
    }
    int64_t received = m.internal_date ? m.internal_date->unix_time() : 0;
    // NO [OVERQUOTA], RFC 9208 §4.3
    auto d = mailstore_->append((*mb)->name, m.data, *flags, received,
                                backend_.quota_message_size(account_));
    if (!d) {
      fail();
      return store_failure(out, c.tag, d.error(), "TRYCREATE");
    }
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
