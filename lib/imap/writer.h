// IMAP response writing (RFC 9051 §7, §9 formal syntax of responses): strings
// as quoted or literal, astring/nstring, flag lists, compact sequence sets,
// mailbox names (modified UTF-7 for IMAP4rev1 clients), and a builder for
// whole untagged, tagged and continuation responses. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/command.h"
#include "imapstring/imapstring.h"

namespace mox::imap {

// The condition of a status response: resp-cond-state, resp-cond-auth,
// resp-cond-bye (RFC 9051 §7.1, §9).
enum class Condition { kOk, kNo, kBad, kPreauth, kBye };
const char* condition_name(Condition c);

// Strings (quoted or literal, NIL): the one quoter, imapstring/imapstring.h.
using imapstring::append_nstring;
using imapstring::append_string;
using imapstring::quotable;
// As an atom when it is one (1*ASTRING-CHAR, and not "NIL"), else as a string.
void append_astring(std::string& out, std::string_view s, bool utf8);
// "(" flag *(SP flag) ")"; flags are written as given (they are atoms).
void append_flag_list(std::string& out, const std::vector<std::string>& flags);
// A mailbox name (UTF-8 as stored) as an astring, modified UTF-7 encoded
// unless `utf8` (RFC 3501 §5.1.3, RFC 9051 §5.1). The first level "Inbox" is
// written "INBOX", the spelling every client recognises.
void append_mailbox(std::string& out, std::string_view name, bool utf8);

// A compact sequence set of the numbers, e.g. {1,2,3,5,7,8} → "1:3,5,7:8"
// (sorted, duplicates and 0 dropped). "" for no numbers.
std::string sequence_set_string(std::vector<uint32_t> numbers);
// The name of a FETCH item as the response spells it (RFC 9051 §7.5.2):
// BODY.PEEK[HEADER] as "BODY[HEADER]", a partial as "<origin>", BINARY.PEEK[1]
// as "BINARY[1]".
std::string fetch_item_name(const FetchAtt& att);
// Response text (RFC 9051 §9 text): CR, LF and other controls become spaces,
// ill-formed UTF-8 is replaced by U+FFFD.
std::string response_text(std::string_view text);

// Builds one or more response lines. Tokens are separated by single spaces
// automatically (not after "(" or "[", not before ")" or "]"). Not
// thread-safe; cheap to create per response.
class ResponseWriter {
 public:
  explicit ResponseWriter(bool utf8 = false) : utf8_(utf8) {}

  // Line starts.
  ResponseWriter& untagged();                    // "* "
  ResponseWriter& tagged(std::string_view tag);  // "<tag> "
  ResponseWriter& continuation();                // "+ "

  // Tokens.
  ResponseWriter& atom(std::string_view a);  // written as is; the caller knows it is one
  ResponseWriter& number(uint64_t n);
  ResponseWriter& string(std::string_view s);
  ResponseWriter& astring(std::string_view s);
  ResponseWriter& nstring(const std::optional<std::string>& s);
  ResponseWriter& nil();
  ResponseWriter& mailbox(std::string_view name);
  ResponseWriter& flags(const std::vector<std::string>& flags);
  ResponseWriter& literal(std::string_view bytes);   // {n} CRLF bytes
  ResponseWriter& literal8(std::string_view bytes);  // ~{n} CRLF bytes (RFC 3516 §4.2)
  ResponseWriter& open();                            // "("
  ResponseWriter& close();                           // ")"

  // resp-cond-state / resp-cond-bye: "OK [CODE args] text" (RFC 9051 §7.1).
  // `code` is written as is (it may hold arguments), omitted when empty.
  ResponseWriter& status(Condition c, std::string_view code, std::string_view text);
  // Free text to the end of the line (sanitised by response_text(); "" is
  // written as "done", as RFC 9051 §9 text needs at least one character).
  ResponseWriter& text(std::string_view t);
  // CRLF: ends the line.
  ResponseWriter& end();

  const std::string& str() const { return out_; }
  std::string take();

 private:
  void space();

  bool utf8_;
  bool need_space_ = false;
  std::string out_;
};

// A whole status line: "<tag> OK [code] text\r\n", or "* ..." for tag "".
std::string status_line(std::string_view tag, Condition c, std::string_view code,
                        std::string_view text);

}  // namespace mox::imap
