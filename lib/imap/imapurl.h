// IMAP URLs (RFC 5092) as CATENATE (RFC 4469 §3) names the messages and
// sections of the logged-in account: absolute
// "/mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=x][/;PARTIAL=o[.l]]" (with or
// without an "imap://user@host" in front, which is not checked: the account is
// the session's), or relative to the selected mailbox ";UID=n..." (RFC 5092
// §7). No I/O; URLAUTH and other parameters are refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::imap {

struct ImapUrl {
  std::optional<std::string> mailbox;  // UTF-8, percent-decoded; absent: the selected one
  std::optional<uint32_t> uidvalidity;
  uint32_t uid = 0;
  std::string section;  // percent-decoded, e.g. "HEADER", "1.2.MIME"; "" for the message
  std::optional<uint64_t> partial_offset;
  std::optional<uint64_t> partial_length;  // absent: to the end
};

// Parses `url`; a kSyntax error for anything that is not such a URL.
Result<ImapUrl> parse_imap_url(std::string_view url);

}  // namespace mox::imap
