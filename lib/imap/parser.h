// IMAP command parser (RFC 9051 §9 formal syntax, RFC 3501 §9, and the
// extensions of mox-imapd(8) "Capabilities"): a complete command from the
// Reader (reader.h) becomes a typed Command (command.h). No I/O, no state
// beyond the options; safe to call from any thread.
#pragma once

#include <string_view>

#include "imap/command.h"
#include "imap/reader.h"
#include "util/result.h"

namespace mox::imap {

struct ParseOptions {
  // IMAP4rev2 (RFC 9051 §5.1) or UTF8=ACCEPT (RFC 6855 §3) is enabled: mailbox
  // names are UTF-8. Otherwise they are modified UTF-7 (RFC 3501 §5.1.3) and
  // decoded; a name with 8-bit octets that is valid UTF-8 is taken as UTF-8
  // (clients that send UTF-8 without ENABLE), a name with "&" must then be
  // valid modified UTF-7.
  bool utf8 = false;
};

// Parses one command. Errors are kSyntax: the server answers "<tag> BAD
// <message>" ("* BAD" when the tag is unusable, raw.tag == ""). The literals
// of `raw` are moved into the result (APPEND messages are not copied), so
// keep raw.tag before the call if the error needs it.
//
// Strict where the grammar is (exactly one SP between tokens, CRLF handled by
// the Reader); lenient only where clients are known to differ and it does no
// harm: 8-bit octets in quoted strings (RFC 9051 allows UTF-8 there, RFC 3501
// does not), a modseq of 0 in CHANGEDSINCE and QRESYNC, and the mailbox rule
// above.
Result<Command> parse_command(RawCommand raw, const ParseOptions& options);

// Helpers for the server, shared with the parser:
// The UTF-8 form of a mailbox name as sent, decoded per `options`, with the
// first level "INBOX" in any case as "Inbox" (RFC 9051 §5.1; the store keeps it
// so). kSyntax for ill-formed UTF-8, kUser for a name that is not valid
// modified UTF-7 (a valid command naming no possible mailbox).
Result<std::string> decode_mailbox(std::string_view sent, const ParseOptions& options);

}  // namespace mox::imap
