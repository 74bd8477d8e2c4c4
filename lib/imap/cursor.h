// Internal to lib/imap: a bounds-checked cursor over the lines and literals of
// a RawCommand, with the tokens of RFC 9051 §9. Every method either consumes
// what it recognises or returns a kSyntax error that says what was expected
// and where; nothing reads past a line end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/reader.h"
#include "imap/sequence.h"
#include "util/result.h"

namespace mox::imap::internal {

// RFC 9051 §9 character classes.
bool atom_char(char c);     // ATOM-CHAR: CHAR except atom-specials
bool astring_char(char c);  // ASTRING-CHAR: ATOM-CHAR / "]"
bool list_char(char c);     // list-char: ATOM-CHAR / "%" / "*" / "]"
std::string upper(std::string_view s);

class Cursor {
 public:
  // Borrows `raw`; literals taken with literal() are moved out of it.
  explicit Cursor(RawCommand& raw);

  char peek() const;              // '\0' at the end of a line
  std::string_view rest() const;  // the rest of the current line, for look-ahead
  bool at_line_end() const;
  bool at_end() const;     // the last line is consumed
  bool at_string() const;  // a quoted string, literal or literal8 starts here
  bool take(char c);
  // Consumes `word` (case-insensitive) if it is next and not followed by an
  // ATOM-CHAR.
  bool take_word(std::string_view word);
  Status expect(char c);
  Status sp();   // exactly one SP
  Status end();  // nothing may follow

  // A run of characters for which pred is true (possibly empty).
  template <class Pred>
  std::string_view take_while(Pred pred) {
    std::string_view l = line();
    size_t start = pos_;
    while (pos_ < l.size() && pred(l[pos_])) ++pos_;
    return l.substr(start, pos_ - start);
  }

  Result<std::string> atom();                    // 1*ATOM-CHAR
  Result<std::string> astring();                 // 1*ASTRING-CHAR / string
  Result<std::string> string();                  // quoted / literal
  Result<std::optional<std::string>> nstring();  // string / NIL
  Result<std::string> list_mailbox();            // 1*list-char / string
  Result<std::string> quoted();
  // literal / literal8 at a line end; `binary` tells which. literal8 only if allowed.
  Result<std::string> literal(bool allow_literal8, bool* binary);
  Result<uint32_t> number();  // 0..4294967295
  Result<uint32_t> nz_number();
  Result<uint64_t> number64();  // 0..2^63-1
  Result<SequenceSet> sequence_set();
  Result<std::string> flag();                    // "\" atom / atom
  Result<std::vector<std::string>> flag_list();  // "(" [flag *(SP flag)] ")"

  // A kSyntax error naming the position: `what` + ` near "..."`.
  Error error(std::string_view what) const;

  // Why a mailbox argument is not a valid name (Command::invalid_name); the
  // first one is kept.
  void note_invalid_name(std::string why) {
    if (invalid_name_.empty()) invalid_name_ = std::move(why);
  }
  const std::string& invalid_name() const { return invalid_name_; }

 private:
  std::string_view line() const { return raw_.lines[line_]; }

  RawCommand& raw_;
  size_t line_ = 0;
  size_t pos_ = 0;
  std::string invalid_name_;
};

}  // namespace mox::imap::internal
