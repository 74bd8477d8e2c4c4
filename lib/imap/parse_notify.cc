// COMPRESS (RFC 4978 §3) and NOTIFY (RFC 5465 §8) arguments. Only the syntax
// is checked here; which events and filters are supported, and the rules
// between them, are the session's (imapserver/notify.cc).
#include <strings.h>

#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

// The events of RFC 5465 §8, as they are spelled there.
constexpr const char* kEventNames[] = {
    "MessageNew",
    "MessageExpunge",
    "FlagChange",
    "AnnotationChange",
    "MailboxName",
    "SubscriptionChange",
    "MailboxMetadataChange",
    "ServerMetadataChange",
};

std::string event_name(const std::string& sent) {
  for (const char* n : kEventNames) {
    if (strcasecmp(n, sent.c_str()) == 0) return n;
  }
  return sent;
}

// one-or-more-mailbox = mailbox / many-mailboxes;
// many-mailboxes = "(" mailbox *(SP mailbox) ")".
Status mailboxes(Cursor& c, const ParseOptions& o, std::vector<std::string>& out) {
  MOX_TRY(c.sp());
  bool many = c.take('(');
  do {
    MOX_ASSIGN(std::string name, mailbox(c, o));
    out.push_back(std::move(name));
  } while (many && c.take(' '));
  if (many) MOX_TRY(c.expect(')'));
  return {};
}

// filter-mailboxes = "selected" / "selected-delayed" / "inboxes" /
// "personal" / "subscribed" / ("subtree" SP one-or-more-mailbox) /
// ("mailboxes" SP one-or-more-mailbox).
Result<NotifyFilter> filter(Cursor& c, const ParseOptions& o) {
  using K = NotifyFilter::Kind;
  static constexpr struct {
    const char* word;
    K kind;
  } kWords[] = {{"selected-delayed", K::kSelectedDelayed},
                {"selected", K::kSelected},
                {"inboxes", K::kInboxes},
                {"personal", K::kPersonal},
                {"subscribed", K::kSubscribed},
                {"subtree", K::kSubtree},
                {"mailboxes", K::kMailboxes}};
  NotifyFilter f;
  for (const auto& w : kWords) {
    if (!c.take_word(w.word)) continue;
    f.kind = w.kind;
    if (f.kind == K::kSubtree || f.kind == K::kMailboxes) MOX_TRY(mailboxes(c, o, f.mailboxes));
    return f;
  }
  return c.error("expected a NOTIFY mailbox filter");
}

// events = ("(" event *(SP event) ")") / "NONE"; event = atom, MessageNew
// optionally followed by SP "(" fetch-att *(SP fetch-att) ")".
Status events(Cursor& c, std::vector<NotifyEvent>& out) {
  if (c.take_word("NONE")) return {};
  MOX_TRY(c.expect('('));
  do {
    NotifyEvent e;
    MOX_ASSIGN(std::string name, c.atom());
    e.name = event_name(name);
    if (e.name == "MessageNew" && c.rest().substr(0, 2) == " (") {
      MOX_TRY(c.sp());
      MOX_ASSIGN(e.fetch, fetch_att_list(c));
    }
    out.push_back(std::move(e));
  } while (c.take(' '));
  return c.expect(')');
}

}  // namespace

// compress = "COMPRESS" SP algorithm; algorithm = "DEFLATE" (RFC 4978 §5),
// any atom accepted here.
Result<Args> parse_compress(Cursor& c, const ParseOptions&, bool) {
  CompressArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(std::string mech, c.atom());
  a.mechanism = upper(mech);
  return Args(std::move(a));
}

// notify = "NOTIFY" SP (notify-set / notify-none); notify-none = "NONE";
// notify-set = "SET" [SP "STATUS"] SP event-group *(SP event-group);
// event-group = "(" filter-mailboxes SP events ")".
Result<Args> parse_notify(Cursor& c, const ParseOptions& o, bool) {
  NotifyArgs a;
  MOX_TRY(c.sp());
  if (c.take_word("NONE")) {
    a.none = true;
    return Args(std::move(a));
  }
  if (!c.take_word("SET")) return c.error("expected SET or NONE");
  MOX_TRY(c.sp());
  if (c.take_word("STATUS")) {
    a.status = true;
    MOX_TRY(c.sp());
  }
  do {
    NotifyGroup g;
    MOX_TRY(c.expect('('));
    MOX_ASSIGN(g.filter, filter(c, o));
    MOX_TRY(c.sp());
    MOX_TRY(events(c, g.events));
    MOX_TRY(c.expect(')'));
    a.groups.push_back(std::move(g));
  } while (c.take(' '));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
