// NOTIFY (RFC 5465): event groups, snapshots and their differences.
#include "imapserver/notify.h"

#include <algorithm>

#include "imap/writer.h"

namespace mox::imapserver {
namespace {

using Kind = imap::NotifyFilter::Kind;

bool is_selected(const imap::NotifyGroup& g) {
  return g.filter.kind == Kind::kSelected || g.filter.kind == Kind::kSelectedDelayed;
}

bool message_event(std::string_view e) {
  return e == "MessageNew" || e == "MessageExpunge" || e == "FlagChange" || e == "AnnotationChange";
}

bool supported(std::string_view e) {
  return e == "MessageNew" || e == "MessageExpunge" || e == "FlagChange" || e == "MailboxName" ||
         e == "SubscriptionChange";
}

bool in_subtree(const std::string& name, const std::string& top) {
  return name == top || (name.size() > top.size() && name.compare(0, top.size(), top) == 0 &&
                         name[top.size()] == '/');
}

// RFC 5465 §6: which mailboxes a filter other than "selected" takes.
bool takes(const imap::NotifyFilter& f, const std::string& name,
           const std::set<std::string>& subscribed) {
  switch (f.kind) {
    case Kind::kSelected:
    case Kind::kSelectedDelayed:
      return false;
    case Kind::kInboxes:  // mail is delivered to Inbox and below only
      return in_subtree(name, "Inbox");
    case Kind::kPersonal:  // one namespace, all the user's (imapserver NAMESPACE)
      return true;
    case Kind::kSubscribed:
      return subscribed.count(name) > 0;
    case Kind::kSubtree:
      return std::any_of(f.mailboxes.begin(), f.mailboxes.end(),
                         [&](const std::string& t) { return in_subtree(name, t); });
    case Kind::kMailboxes:
      return std::find(f.mailboxes.begin(), f.mailboxes.end(), name) != f.mailboxes.end();
  }
  return false;
}

std::string mailbox(const std::string& name, bool utf8) {
  imap::ResponseWriter w(utf8);
  w.mailbox(name);
  return w.take();
}

std::string list_line(std::string_view attrs, const std::string& name, bool utf8) {
  return "* LIST (" + std::string(attrs) + ") \"/\" " + mailbox(name, utf8);
}

}  // namespace

Result<Snapshot> read_snapshot(Mailstore& st, const Snapshot* previous) {
  Snapshot s;
  MOX_ASSIGN(auto mbs, st.list_mailboxes());
  for (const auto& mb : mbs) {
    MailboxSnap m{mb.id, mb.name, mb.uidvalidity, mb.uidnext, mb.modseq, 0};
    const MailboxSnap* old = nullptr;
    if (previous) {
      auto it = previous->mailboxes.find(mb.id);
      if (it != previous->mailboxes.end()) old = &it->second;
    }
    if (old && old->uidnext == m.uidnext && old->modseq == m.modseq) {
      m.messages = old->messages;
    } else {
      MOX_ASSIGN(auto rows, st.list_messages(mb.id));
      m.messages = static_cast<int64_t>(rows.size());
    }
    s.mailboxes.emplace(mb.id, std::move(m));
  }
  MOX_ASSIGN(auto subs, st.list_subscriptions());
  s.subscribed.insert(subs.begin(), subs.end());
  return s;
}

std::optional<NotifyRefusal> check_notify(const imap::NotifyArgs& a) {
  int selected = 0;
  for (const auto& g : a.groups) {
    selected += is_selected(g);
    for (const auto& e : g.events) {
      // RFC 5465 §3: NO [BADEVENT] names the events the server supports.
      if (!supported(e.name)) {
        return NotifyRefusal{false, "event " + e.name + " is not supported"};
      }
      // RFC 5465 §6: the selected mailbox takes message events only.
      if (is_selected(g) && !message_event(e.name)) {
        return NotifyRefusal{true, e.name + " is not a message event, for selected"};
      }
      // RFC 5465 §5.1: fetch attributes come with the selected mailbox's EXISTS.
      if (!is_selected(g) && !e.fetch.empty()) {
        return NotifyRefusal{true, "MessageNew fetch attributes only for the selected mailbox"};
      }
    }
  }
  if (selected > 1) return NotifyRefusal{true, "selected may be given once"};
  return std::nullopt;
}

const imap::NotifyGroup* NotifySet::selected() const {
  for (const auto& g : a_.groups) {
    if (is_selected(g)) return &g;
  }
  return nullptr;
}

bool NotifySet::has_selected_event(std::string_view event) const {
  const imap::NotifyGroup* g = selected();
  if (!g) return false;
  return std::any_of(g->events.begin(), g->events.end(),
                     [&](const imap::NotifyEvent& e) { return e.name == event; });
}

std::vector<imap::FetchAtt> NotifySet::new_message_atts() const {
  const imap::NotifyGroup* g = selected();
  if (!g) return {};
  for (const auto& e : g->events) {
    if (e.name == "MessageNew") return e.fetch;
  }
  return {};
}

bool NotifySet::wants(const std::string& name, std::string_view event,
                      const std::set<std::string>& subscribed) const {
  for (const auto& g : a_.groups) {
    if (!takes(g.filter, name, subscribed)) continue;
    if (g.events.empty()) return false;  // NONE for these mailboxes
    for (const auto& e : g.events) {
      if (e.name == event) return true;
    }
  }
  return false;
}

std::string NotifySet::status(const MailboxSnap& mb, const std::set<std::string>& subscribed,
                              const std::vector<std::string_view>& fired, bool utf8) const {
  // What a client keeps of a mailbox per event (RFC 5465 §5.2-§5.4).
  bool messages = false, uidnext = false, uidvalidity = false, modseq = false;
  for (std::string_view e : fired) {
    if (!wants(mb.name, e, subscribed)) continue;
    if (e == "MessageNew") messages = uidnext = uidvalidity = true;
    if (e == "MessageExpunge") messages = true;
    if (e == "FlagChange") uidvalidity = modseq = true;
  }
  std::string items;
  auto add = [&items](const char* n, int64_t v) {
    items += (items.empty() ? "" : " ") + std::string(n) + " " + std::to_string(v);
  };
  if (messages) add("MESSAGES", mb.messages);
  if (uidnext) add("UIDNEXT", mb.uidnext);
  if (uidvalidity) add("UIDVALIDITY", mb.uidvalidity);
  if (modseq) add("HIGHESTMODSEQ", mb.modseq);
  if (items.empty()) return "";
  return "* STATUS " + mailbox(mb.name, utf8) + " (" + items + ")";
}

std::vector<std::string> NotifySet::changes(const Snapshot& old, const Snapshot& now,
                                            int64_t selected_id, bool utf8) const {
  std::vector<std::string> out;
  auto add = [&out](std::string line) {
    if (!line.empty()) out.push_back(std::move(line));
  };
  const auto& subs = now.subscribed;
  for (const auto& [id, mb] : now.mailboxes) {
    auto it = old.mailboxes.find(id);
    if (it == old.mailboxes.end()) {
      if (wants(mb.name, "MailboxName", subs)) add(list_line("", mb.name, utf8));
      continue;
    }
    const MailboxSnap& was = it->second;
    if (was.name != mb.name &&
        (wants(mb.name, "MailboxName", subs) || wants(was.name, "MailboxName", subs))) {
      // RFC 5465 §5.4: a renamed mailbox's LIST carries its OLDNAME.
      add(list_line("", mb.name, utf8) + " (\"OLDNAME\" (" + mailbox(was.name, utf8) + "))");
    }
    if (id == selected_id) continue;
    std::vector<std::string_view> fired;
    bool added = mb.uidnext > was.uidnext;
    bool removed = mb.messages < was.messages + (mb.uidnext - was.uidnext);
    if (added) fired.push_back("MessageNew");
    if (removed) fired.push_back("MessageExpunge");
    if (!added && !removed && mb.modseq != was.modseq) fired.push_back("FlagChange");
    if (!fired.empty()) add(status(mb, subs, fired, utf8));
  }
  for (const auto& [id, was] : old.mailboxes) {
    if (now.mailboxes.count(id) == 0 && wants(was.name, "MailboxName", old.subscribed)) {
      add(list_line("\\NonExistent", was.name, utf8));
    }
  }
  for (const auto& name : now.subscribed) {
    if (old.subscribed.count(name) == 0 && wants(name, "SubscriptionChange", subs)) {
      add(list_line("\\Subscribed", name, utf8));
    }
  }
  for (const auto& name : old.subscribed) {
    if (now.subscribed.count(name) == 0 && wants(name, "SubscriptionChange", old.subscribed)) {
      add(list_line("", name, utf8));
    }
  }
  return out;
}

std::vector<std::string> NotifySet::initial_status(const Snapshot& now, int64_t selected_id,
                                                   bool utf8) const {
  std::vector<std::string> out;
  for (const auto& [id, mb] : now.mailboxes) {
    if (id == selected_id) continue;
    std::string line =
        status(mb, now.subscribed, {"MessageNew", "MessageExpunge", "FlagChange"}, utf8);
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

}  // namespace mox::imapserver
