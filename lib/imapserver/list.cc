// LIST (RFC 9051 §6.3.9; LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819,
// SPECIAL-USE RFC 6154) and LSUB (RFC 3501 §6.3.9).
//
// Subscriptions are names of their own (RFC 9051 §6.3.7): a subscribed name
// may have no mailbox (deleted, or never made), and a mailbox need not be
// subscribed. A name whose subscribed descendants are not all listed by the
// patterns themselves stands in for them: LSUB returns it with \Noselect when
// it is not subscribed (RFC 3501 §6.3.9, for "%"), and LIST (SUBSCRIBED
// RECURSIVEMATCH) returns it with CHILDINFO ("SUBSCRIBED") (RFC 5258 §3.5).
#include <strings.h>

#include <map>
#include <set>
#include <variant>

#include "imap/listpattern.h"
#include "imapserver/mailbox_text.h"
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

// reference + pattern, each with INBOX folded (RFC 9051 §6.3.9).
class Patterns {
 public:
  Patterns(const std::string& reference, const std::vector<std::string>& patterns) {
    for (const auto& p : patterns) full_.push_back(fold_inbox(reference + p));
  }
  bool match(const std::string& name) const {
    for (const auto& p : full_) {
      if (imap::list_match(p, name)) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> full_;
};

// Whether a subscribed name below `name` is not matched by the patterns.
bool hidden_subscribed_child(const std::set<std::string>& subscribed, const std::string& name,
                             const Patterns& patterns) {
  std::string prefix = name + "/";
  for (auto it = subscribed.lower_bound(prefix);
       it != subscribed.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!patterns.match(*it)) return true;
  }
  return false;
}

// The subscribed names and every level above them.
std::set<std::string> with_parents(const std::set<std::string>& subscribed) {
  std::set<std::string> out;
  for (const auto& s : subscribed) {
    out.insert(s);
    for (size_t slash = s.find('/'); slash != std::string::npos; slash = s.find('/', slash + 1)) {
      out.insert(s.substr(0, slash));
    }
  }
  return out;
}

bool has_mailbox_below(const std::map<std::string, const store::Mailbox*>& names,
                       const std::string& name) {
  std::string prefix = name + "/";
  for (auto it = names.lower_bound(prefix);
       it != names.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (it->second != nullptr) return true;
  }
  return false;
}

}  // namespace

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
  std::set<std::string> subscribed(subs->begin(), subs->end());
  // Every name, in order: the mailboxes, and with SUBSCRIBED the subscribed
  // names and their parents without a mailbox (\NonExistent, RFC 5258 §3.4).
  std::map<std::string, const store::Mailbox*> names;
  for (const auto& mb : *mbs) names[mb.name] = &mb;
  if (a.select_subscribed) {
    for (const auto& n : with_parents(subscribed)) names.emplace(n, nullptr);
  }
  Patterns patterns(a.reference, a.patterns);
  bool childinfo_wanted = a.select_subscribed && a.select_recursive_match;
  CommandBudget budget(backend_, s_.command_budget, true);
  for (const auto& [name, mb] : names) {
    if (!budget.step()) return over_budget(out, c.tag, budget, "list");
    if (!patterns.match(name)) continue;
    bool sub = subscribed.count(name) > 0;
    bool childinfo = childinfo_wanted && hidden_subscribed_child(subscribed, name, patterns);
    if (a.select_subscribed && !sub && !childinfo) continue;
    if (a.select_special_use && (!mb || mb->special_use.empty())) continue;
    std::string attrs;
    auto add = [&](const std::string& x) { attrs += (attrs.empty() ? "" : " ") + x; };
    if (!mb) add("\\NonExistent");
    add(has_mailbox_below(names, name) ? "\\HasChildren" : "\\HasNoChildren");
    if (mb && !mb->special_use.empty()) add(mb->special_use);
    if ((a.return_subscribed || a.select_subscribed) && sub) add("\\Subscribed");
    std::string line = "* LIST (" + attrs + ") \"/\" " + quoted_mailbox(name, utf8_);
    if (childinfo) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
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
  if (a.matches_nothing) return respond(out, c.tag, Condition::kOk, "", "lsub done");
  if (a.reference.size() + a.pattern.size() > imap::kMaxListPattern) {
    return respond(out, c.tag, Condition::kNo, "LIMIT", "pattern too long");
  }
  auto subs = mailstore_->list_subscriptions();
  if (!subs) return store_failure(out, c.tag, subs.error(), "");
  std::set<std::string> subscribed(subs->begin(), subs->end());
  Patterns patterns(a.reference, {a.pattern});
  CommandBudget budget(backend_, s_.command_budget, true);
  for (const auto& name : with_parents(subscribed)) {
    if (!budget.step()) return over_budget(out, c.tag, budget, "lsub");
    if (!patterns.match(name)) continue;
    const char* attrs = "";
    if (subscribed.count(name) == 0) {
      if (!hidden_subscribed_child(subscribed, name, patterns)) continue;
      attrs = "\\Noselect";
    }
    out.reply +=
        std::string("* LSUB (") + attrs + ") \"/\" " + quoted_mailbox(name, utf8_) + "\r\n";
  }
  respond(out, c.tag, Condition::kOk, "", "lsub done");
}

}  // namespace mox::imapserver
