// NOTIFY (RFC 5465) for one session, without I/O: the client's event groups
// (imap::NotifyArgs), which mailbox and event they ask for, and the
// untagged responses that tell of the changes between two snapshots of the
// account's mailboxes and subscriptions.
//
// The session learns of changes the way IDLE does (store/notify.h: another
// process, or this one, committed a change to the account), takes a new
// Snapshot and reports the difference to the last one (Session::
// notify_updates, notify_cmd.cc). So nothing is queued between changes: a
// burst of changes costs one snapshot, and NOTIFICATIONOVERFLOW (RFC 5465
// §5.8) is sent only when one difference holds more responses than the
// session's limit (Settings::max_notifications).
//
// The selected mailbox's message events are not STATUS responses: they are
// the EXISTS, EXPUNGE/VANISHED and FETCH of the selected state, sent by
// Session::updates when the "selected" or "selected-delayed" group asks for
// them (RFC 5465 §5.1, §6).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "imap/command.h"
#include "imapserver/mailstore.h"

namespace mox::imapserver {

// What a notification about one mailbox is made of.
struct MailboxSnap {
  int64_t id = 0;
  std::string name;
  int64_t uidvalidity = 0, uidnext = 0, modseq = 0, messages = 0;
  bool operator==(const MailboxSnap&) const = default;
};

struct Snapshot {
  std::map<int64_t, MailboxSnap> mailboxes;  // by id
  std::set<std::string> subscribed;          // names, existing or not
};

// The account's mailboxes now. Messages are counted again only in the
// mailboxes whose UIDNEXT or modseq moved since `previous` (when given).
Result<Snapshot> read_snapshot(Mailstore& st, const Snapshot* previous);

// The events mox-imapd reports (RFC 5465 §5), as the BADEVENT code lists them.
inline constexpr std::string_view kNotifyEvents =
    "MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange";

// Why a NOTIFY SET is refused, if it is.
struct NotifyRefusal {
  bool bad = false;  // BAD (syntax rules of RFC 5465 §3, §5); else NO [BADEVENT ...]
  std::string text;
};
std::optional<NotifyRefusal> check_notify(const imap::NotifyArgs& a);

class NotifySet {
 public:
  explicit NotifySet(imap::NotifyArgs a) : a_(std::move(a)) {}

  // The group of "selected" or "selected-delayed", or null.
  const imap::NotifyGroup* selected() const;
  bool has_selected_event(std::string_view event) const;
  // MessageNew's fetch attributes for the selected mailbox (may be empty).
  std::vector<imap::FetchAtt> new_message_atts() const;

  // Whether a group asks for `event` on mailbox `name` that is not the
  // selected one: the first group whose filter takes the mailbox and that
  // names the event decides; a group with NONE that takes it ends the
  // search (RFC 5465 §6).
  bool wants(const std::string& name, std::string_view event,
             const std::set<std::string>& subscribed) const;

  // The untagged responses for the changes from `old` to `now`: STATUS for
  // message events of mailboxes other than `selected_id`, LIST for
  // MailboxName and SubscriptionChange (RFC 5465 §5.2-§5.5). `utf8`: names
  // as UTF-8 (RFC 9051), else modified UTF-7.
  std::vector<std::string> changes(const Snapshot& old, const Snapshot& now, int64_t selected_id,
                                   bool utf8) const;
  // NOTIFY SET STATUS: a STATUS response for each mailbox but the selected
  // one that a group asks message events for (RFC 5465 §3).
  std::vector<std::string> initial_status(const Snapshot& now, int64_t selected_id,
                                          bool utf8) const;

 private:
  // The STATUS response of `mb` with the attributes the events of its
  // group ask for (`fired`: of those, the events that happened), or "".
  std::string status(const MailboxSnap& mb, const std::set<std::string>& subscribed,
                     const std::vector<std::string_view>& fired, bool utf8) const;

  imap::NotifyArgs a_;
};

}  // namespace mox::imapserver
