// GETQUOTA and SETQUOTA arguments (RFC 9208 §4.3.1, §4.3.3). GETQUOTAROOT
// takes a mailbox, parsed like DELETE's.
#include "imap/parse_internal.h"

namespace mox::imap::internal {

// getquota = "GETQUOTA" SP quota-root-name; quota-root-name = astring.
Result<Args> parse_getquota(Cursor& c, const ParseOptions&, bool) {
  QuotaRootArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.root, c.astring());
  return Args(std::move(a));
}

// setquota = "SETQUOTA" SP quota-root-name SP setquota-list;
// setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")";
// setquota-resource = resource-name SP resource-limit; resource-name is an
// atom (STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE or an extension);
// resource-limit = number64.
Result<Args> parse_setquota(Cursor& c, const ParseOptions&, bool) {
  SetQuotaArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.root, c.astring());
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  if (c.take(')')) return Args(std::move(a));
  do {
    MOX_ASSIGN(std::string name, c.atom());
    MOX_TRY(c.sp());
    MOX_ASSIGN(uint64_t limit, c.number64());
    a.limits.emplace_back(upper(name), limit);
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
