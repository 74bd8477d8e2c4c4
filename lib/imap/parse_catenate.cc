// CATENATE parts of APPEND and REPLACE (RFC 4469 §5, RFC 8508 §3).
#include "imap/parse_internal.h"

namespace mox::imap::internal {

// cat-part = text-literal / url; text-literal = "TEXT" SP literal;
// url = "URL" SP astring (RFC 4469 §5). A literal8 is taken too, as with
// BINARY a client may send one (RFC 3516 §4.4).
Result<std::vector<CatenatePart>> catenate_parts(Cursor& c) {
  std::vector<CatenatePart> parts;
  MOX_TRY(c.expect('('));
  do {
    CatenatePart p;
    if (c.take_word("TEXT")) {
      MOX_TRY(c.sp());
      if (!c.at_string() || c.peek() == '"') return c.error("expected a literal {n} after TEXT");
      bool binary = false;
      MOX_ASSIGN(p.text, c.literal(true, &binary));
    } else if (c.take_word("URL")) {
      MOX_TRY(c.sp());
      p.url = true;
      MOX_ASSIGN(p.text, c.astring());
    } else {
      return c.error("expected TEXT or URL in CATENATE");
    }
    parts.push_back(std::move(p));
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return parts;
}

}  // namespace mox::imap::internal
