// UIDONLY (RFC 9586): once enabled, no message sequence numbers in commands
// (BAD [UIDREQUIRED], §3) or responses (UIDFETCH for FETCH, §3.3; VANISHED
// for EXPUNGE, §3.4, in report_expunged).
#include <variant>

#include "imapserver/session.h"

namespace mox::imapserver {
namespace {

bool has_seqset(const imap::SearchKey& k) {
  if (k.op == imap::SearchKey::Op::kSeqSet && !k.set.search_result()) return true;
  for (const auto& c : k.children) {
    if (has_seqset(c)) return true;
  }
  return false;
}

}  // namespace

std::string Session::fetch_head(size_t index) const {
  if (uidonly_) return "* " + std::to_string(msgs_[index].uid) + " UIDFETCH (";
  return "* " + std::to_string(index + 1) + " FETCH (";
}

bool Session::uses_sequence_numbers(const imap::Command& c) {
  using imap::Verb;
  switch (c.verb) {
    case Verb::kFetch:
    case Verb::kStore:
    case Verb::kCopy:
    case Verb::kMove:
    case Verb::kReplace:
      return !c.uid;
    case Verb::kSearch:
      // RFC 9586 §3: a sequence set as a search key is message numbers too.
      return !c.uid || has_seqset(std::get<imap::SearchArgs>(c.args).program);
    default:
      return false;
  }
}

}  // namespace mox::imapserver
