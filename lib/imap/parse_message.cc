// STORE, COPY, MOVE, EXPUNGE arguments (RFC 9051 §6.4.3, §6.4.6-8;
// CONDSTORE RFC 7162 §3.1.3; UIDPLUS RFC 4315 §2.1).
#include "imap/parse_internal.h"

namespace mox::imap::internal {

// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags;
// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")";
// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
//                   (flag-list / (flag *(SP flag))).
Result<Args> parse_store(Cursor& c, const ParseOptions&, bool) {
  StoreArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.set, c.sequence_set());
  MOX_TRY(c.sp());
  if (c.take('(')) {
    do {
      if (!c.take_word("UNCHANGEDSINCE")) return c.error("unknown STORE modifier");
      MOX_TRY(c.sp());
      MOX_ASSIGN(uint64_t m, c.number64());
      a.unchanged_since = m;
    } while (c.take(' '));
    MOX_TRY(c.expect(')'));
    MOX_TRY(c.sp());
  }
  if (c.take('+')) {
    a.mode = StoreArgs::Mode::kAdd;
  } else if (c.take('-')) {
    a.mode = StoreArgs::Mode::kRemove;
  }
  if (c.take_word("FLAGS.SILENT")) {
    a.silent = true;
  } else if (!c.take_word("FLAGS")) {
    return c.error("expected FLAGS, +FLAGS or -FLAGS (with .SILENT)");
  }
  MOX_TRY(c.sp());
  if (c.peek() == '(') {
    MOX_ASSIGN(a.flags, c.flag_list());
    return Args(std::move(a));
  }
  do {
    MOX_ASSIGN(std::string f, c.flag());
    a.flags.push_back(std::move(f));
  } while (c.take(' '));
  return Args(std::move(a));
}

// copy = "COPY" SP sequence-set SP mailbox; move likewise (RFC 6851 §3.1).
Result<Args> parse_copy(Cursor& c, const ParseOptions& o, bool) {
  CopyArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.set, c.sequence_set());
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  return Args(std::move(a));
}

// "EXPUNGE", or "UID EXPUNGE" SP sequence-set (RFC 4315 §2.1).
Result<Args> parse_expunge(Cursor& c, const ParseOptions&, bool uid) {
  ExpungeArgs a;
  if (!uid) return Args(std::move(a));
  MOX_TRY(c.sp());
  MOX_ASSIGN(SequenceSet set, c.sequence_set());
  a.uids = std::move(set);
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
