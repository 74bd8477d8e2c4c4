// GETMETADATA and SETMETADATA arguments (RFC 5464 §4.2, §4.3, §5).
#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

// getmetadata-option = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity").
Status getmetadata_options(Cursor& c, GetMetadataArgs& a) {
  MOX_TRY(c.expect('('));
  do {
    if (c.take_word("MAXSIZE")) {
      MOX_TRY(c.sp());
      MOX_ASSIGN(uint32_t n, c.number());
      a.maxsize = n;
    } else if (c.take_word("DEPTH")) {
      MOX_TRY(c.sp());
      if (c.take_word("0")) {
        a.depth = 0;
      } else if (c.take_word("1")) {
        a.depth = 1;
      } else if (c.take_word("INFINITY")) {
        a.depth = -1;
      } else {
        return c.error("expected DEPTH 0, 1 or infinity");
      }
    } else {
      return c.error("unknown GETMETADATA option");
    }
  } while (c.take(' '));
  return c.expect(')');
}

}  // namespace

// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries;
// entries = entry / "(" entry *(SP entry) ")"; entry = astring.
Result<Args> parse_getmetadata(Cursor& c, const ParseOptions& o, bool) {
  GetMetadataArgs a;
  MOX_TRY(c.sp());
  if (c.peek() == '(') {
    MOX_TRY(getmetadata_options(c, a));
    MOX_TRY(c.sp());
  }
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  MOX_TRY(c.sp());
  bool list = c.take('(');
  do {
    MOX_ASSIGN(std::string e, c.astring());
    a.entries.push_back(std::move(e));
  } while (list && c.take(' '));
  if (list) MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

// setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")";
// entry-value = entry SP value; value = nstring / literal8.
Result<Args> parse_setmetadata(Cursor& c, const ParseOptions& o, bool) {
  SetMetadataArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.mailbox, mailbox(c, o));
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  do {
    MOX_ASSIGN(std::string e, c.astring());
    MOX_TRY(c.sp());
    std::optional<std::string> v;
    if (c.rest().substr(0, 2) == "~{") {
      bool binary = false;
      MOX_ASSIGN(std::string lit, c.literal(true, &binary));
      v = std::move(lit);
    } else {
      MOX_ASSIGN(v, c.nstring());
    }
    a.entries.emplace_back(std::move(e), std::move(v));
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
