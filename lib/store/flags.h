// Message flags: the IMAP system flags and well-known keywords are bits of
// Message.Flags; other keywords are kept as a list in Message.Keywords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::store {

// System flags (RFC 9051 §2.3.2) and keywords from the IANA IMAP keyword
// registry (RFC 5788; $Forwarded, $Junk, $NotJunk, $Phishing, $MDNSent).
enum MessageFlagBit : int64_t {
  kFlagSeen = 1 << 0,
  kFlagAnswered = 1 << 1,
  kFlagFlagged = 1 << 2,
  kFlagDeleted = 1 << 3,
  kFlagDraft = 1 << 4,
  kFlagForwarded = 1 << 5,
  kFlagJunk = 1 << 6,
  kFlagNotJunk = 1 << 7,
  kFlagPhishing = 1 << 8,
  kFlagMDNSent = 1 << 9,
};

struct FlagName {
  int64_t bit;
  const char* name;  // as IMAP spells it
};
inline constexpr FlagName kFlagNames[] = {
    {kFlagSeen, "\\Seen"},       {kFlagAnswered, "\\Answered"}, {kFlagFlagged, "\\Flagged"},
    {kFlagDeleted, "\\Deleted"}, {kFlagDraft, "\\Draft"},       {kFlagForwarded, "$Forwarded"},
    {kFlagJunk, "$Junk"},        {kFlagNotJunk, "$NotJunk"},    {kFlagPhishing, "$Phishing"},
    {kFlagMDNSent, "$MDNSent"},
};

struct MessageFlags {
  int64_t bits = 0;
  std::vector<std::string> keywords;  // lower case, no duplicates, no well-known ones
};

// Parses IMAP flag names (case-insensitive, RFC 9051 §2.3.2): known names set
// bits, other keywords must be atoms (RFC 9051 §9 flag-keyword) and are
// lower-cased and de-duplicated. "\Recent" and unknown "\X" are kSyntax errors.
Result<MessageFlags> parse_flags(const std::vector<std::string>& names);
// The IMAP names of `f`: its flags' in kFlagNames order, then its keywords.
std::vector<std::string> flag_names(const MessageFlags& f);
// Checks flags built by hand: bits known, keywords as parse_flags makes them.
Status check_flags(const MessageFlags& f);
// The Message.Keywords column: keywords separated by single spaces.
std::string keywords_column(const std::vector<std::string>& keywords);

}  // namespace mox::store
