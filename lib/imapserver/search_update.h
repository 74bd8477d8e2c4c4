// Internal to lib/imapserver: the search results a session keeps up to date
// for CONTEXT=SEARCH (RFC 5267 §4), one per SEARCH RETURN (UPDATE) until
// CANCELUPDATE or the mailbox is closed. The session reports every message
// that arrives or whose flags change (Session::search_touched) and every
// message it is about to remove (Session::search_expunging); before a
// command completes, and after each updates(), Session::search_flush
// evaluates the touched messages again against each kept program and sends
// what entered the result (ADDTO) and what left it (REMOVEFROM).
//
// A result is a set of UIDs; the numbers sent are UIDs or sequence numbers
// as the SEARCH was UID SEARCH or not. Positions are 0: a SEARCH result has
// no order. A sorted result (CONTEXT=SORT) would keep its order here and
// send positions.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "imap/command.h"
#include "imapserver/search_eval.h"
#include "store/messages.h"

namespace mox::imapserver {

struct SearchUpdate {
  std::string tag;
  bool uid = false;
  // Where it stays: `program` borrows it.
  std::unique_ptr<imap::SearchKey> key;
  std::optional<SearchProgram> program;
  std::set<int64_t> result;  // UIDs
};

struct SearchUpdates {
  // Results kept at once per session; a further UPDATE gets NOUPDATE.
  static constexpr size_t kMax = 16;
  std::list<SearchUpdate> kept;
  // Messages to evaluate again, by UID, with their newest rows.
  std::map<int64_t, store::MessageRow> touched;
};

}  // namespace mox::imapserver
