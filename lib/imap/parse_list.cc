// LIST (RFC 9051 §6.3.9 with LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819,
// SPECIAL-USE RFC 6154 §5.1) and LSUB (RFC 3501 §6.3.9).
#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

// list-select-opts = "(" [list-select-option *(SP list-select-option)] ")".
// Unknown options are a BAD (RFC 5258 §3: a server "MUST" reject what it does
// not understand), and RECURSIVEMATCH needs another option besides REMOTE
// (RFC 5258 §3.1).
Status select_options(Cursor& c, ListArgs& a) {
  MOX_TRY(c.expect('('));
  a.extended = true;
  if (!c.take(')')) {
    do {
      if (c.take_word("SUBSCRIBED")) {
        a.select_subscribed = true;
      } else if (c.take_word("REMOTE")) {
        a.select_remote = true;
      } else if (c.take_word("RECURSIVEMATCH")) {
        a.select_recursive_match = true;
      } else if (c.take_word("SPECIAL-USE")) {
        a.select_special_use = true;
      } else {
        return c.error("unknown LIST selection option");
      }
    } while (c.take(' '));
    MOX_TRY(c.expect(')'));
  }
  if (a.select_recursive_match && !a.select_subscribed && !a.select_special_use) {
    return syntax_error("RECURSIVEMATCH needs another selection option (RFC 5258 §3.1)");
  }
  return {};
}

// "STATUS" SP "(" status-att *(SP status-att) ")" (RFC 5819 §2).
Status return_status(Cursor& c, ListArgs& a) {
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  std::vector<StatusItem> items;
  do {
    MOX_ASSIGN(StatusItem i, status_item(c));
    items.push_back(i);
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  a.return_status = std::move(items);
  return {};
}

// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")".
Status return_options(Cursor& c, ListArgs& a) {
  if (!c.take_word("RETURN")) return c.error("expected RETURN");
  a.extended = true;
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  if (c.take(')')) return {};
  do {
    if (c.take_word("SUBSCRIBED")) {
      a.return_subscribed = true;
    } else if (c.take_word("CHILDREN")) {
      a.return_children = true;
    } else if (c.take_word("SPECIAL-USE")) {
      a.return_special_use = true;
    } else if (c.take_word("STATUS")) {
      MOX_TRY(return_status(c, a));
    } else {
      return c.error("unknown LIST return option");
    }
  } while (c.take(' '));
  return c.expect(')');
}

}  // namespace

// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
//        [SP list-return-opts]; mbox-or-pat = list-mailbox / patterns;
//        patterns = "(" list-mailbox *(SP list-mailbox) ")" (RFC 5258 §4).
Result<Args> parse_list(Cursor& c, const ParseOptions& o, bool) {
  ListArgs a;
  MOX_TRY(c.sp());
  if (c.peek() == '(') {
    MOX_TRY(select_options(c, a));
    MOX_TRY(c.sp());
  }
  MOX_ASSIGN(auto reference, list_name(c, o, false));
  a.reference = reference.value_or("");
  MOX_TRY(c.sp());
  bool several = c.take('(');
  a.extended |= several;
  do {
    MOX_ASSIGN(auto p, list_name(c, o, true));
    if (p && reference) a.patterns.push_back(std::move(*p));
  } while (several && c.take(' '));
  if (several) MOX_TRY(c.expect(')'));
  if (c.take(' ')) MOX_TRY(return_options(c, a));
  return Args(std::move(a));
}

// lsub = "LSUB" SP mailbox SP list-mailbox (RFC 3501 §9).
Result<Args> parse_lsub(Cursor& c, const ParseOptions& o, bool) {
  LsubArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(auto reference, list_name(c, o, false));
  MOX_TRY(c.sp());
  MOX_ASSIGN(auto pattern, list_name(c, o, true));
  a.reference = reference.value_or("");
  a.pattern = pattern.value_or("");
  a.matches_nothing = !reference || !pattern;
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
