// Address lists of header fields (From, To, Cc, Bcc, Reply-To, Sender):
// RFC 5322 §3.4, with the obsolete forms of §4.4 where senders still use them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::message {

// One mailbox of an address list. Plain strings: SMTP and DMARC code turns
// them into smtp::Address (strict) where it needs to.
struct Address {
  // Display name: phrase words joined as written, quoted strings unquoted,
  // RFC 2047 encoded-words decoded, always valid UTF-8 (bad bytes → U+FFFD).
  // Without a display name, the text of a comment after the address is used
  // ("a@example.org (Alice)"), as many MUAs do.
  std::string name;
  std::string localpart;  // unquoted, as written (case kept)
  std::string domain;     // as written, CFWS removed; a domain-literal keeps its brackets
  std::string group;      // the group's display name (§3.4 group syntax), or empty
  // The obsolete source route of "<@a.example,@b.example:user@host>"
  // (obs-route, §4.4) as "@a.example,@b.example", or empty; IMAP's ENVELOPE
  // shows it as the address's adl (RFC 3501 §7.4.2).
  std::string route;

  // "localpart@domain", the local part quoted when it is not a dot-atom.
  std::string addr_spec() const;
};

// Parses an unfolded field value (HeaderField::value) as an address-list or
// mailbox-list. Groups are flattened: each member carries the group name, and
// an empty group ("undisclosed-recipients:;") adds nothing. Empty list
// elements (obs-addr-list, §4.4) are skipped, so "" gives an empty vector.
// Tolerated beyond the RFC: a route before the address (obs-route),
// "." in display names (obs-phrase), empty words between dots in the local
// part ("a..b@x", seen at Japanese carriers), a missing ";" at the end of a
// group, 8-bit bytes in atoms (RFC 6532). Anything else is a kSyntax error.
Result<std::vector<Address>> parse_address_list(std::string_view value);

// The same, except that an empty group ("undisclosed-recipients:;") gives one
// Address with only `group` set (name, localpart and domain empty), so that
// IMAP's ENVELOPE can show it (RFC 9051 §7.5.2, group syntax).
Result<std::vector<Address>> parse_address_list_keep_groups(std::string_view value);

}  // namespace mox::message
