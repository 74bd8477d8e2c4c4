// Maildir file names and Dovecot's keyword file, for import and export.
//
// A Maildir message file is named "UNIQUE:2,INFO" (maildir(5) of qmail;
// https://cr.yp.to/proto/maildir.html), where INFO is the flag letters in
// ASCII order: D draft, F flagged, P passed (forwarded), R replied
// (answered), S seen, T trashed (deleted). Dovecot adds lowercase letters
// a..z for keywords, numbered by the file "dovecot-keywords" in the Maildir
// ("0 $Junk", "1 work", ...). UNIQUE usually starts with the delivery time
// in seconds since the epoch ("1700000000.M1P2.host").
//
// Flags are IMAP names here ("\\Seen", "$Forwarded", keywords as given):
// this floor knows nothing of the store's flag bits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mox::mailio {

// Dovecot's keyword file: index (0..25, letter 'a' + index) to keyword.
class DovecotKeywords {
 public:
  // Reads the file's text; lines that are not "N NAME" with N in 0..25
  // are ignored, as Dovecot does.
  static DovecotKeywords parse(std::string_view text);
  // The keyword of letter `c` ('a'..'z'), or "" when unknown.
  std::string keyword(char c) const;
  // The letter of `keyword` (compared case-insensitively), assigning the next
  // free index when `assign`; 0 when it has none (or all 26 are taken).
  char letter(std::string_view keyword, bool assign);
  // The file's text: "N NAME\n" per keyword, by index.
  std::string format() const;
  bool empty() const { return names_.empty(); }

 private:
  std::map<int, std::string> names_;
};

struct MaildirName {
  std::string unique;              // before ":2," (or the whole name)
  std::vector<std::string> flags;  // IMAP flag names, keywords resolved
  std::vector<char> unknown;       // keyword letters with no keyword
  int64_t time = 0;                // leading digits of the name; 0: none
};

// Splits a file name of cur/ or new/. The info separator is ':' or, as some
// tools write on file systems without ':', ';' or '!'.
MaildirName parse_maildir_name(std::string_view filename, const DovecotKeywords& keywords);

// The ":2,INFO" suffix for `flags` (IMAP names, case-insensitive); keywords
// get letters from `keywords` (assigned as needed). Keywords that find no
// letter are appended to `dropped` when it is given.
std::string maildir_info(const std::vector<std::string>& flags, DovecotKeywords& keywords,
                         std::vector<std::string>* dropped = nullptr);

}  // namespace mox::mailio
