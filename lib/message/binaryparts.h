// Messages appended with a binary literal (RFC 3516 §4.4 literal8): parts
// whose content holds NUL octets are given a base64 Content-Transfer-Encoding,
// which §4.4 allows ("MAY modify the CTE ... MUST NOT result in a loss of
// data"), so that BODY[...] and BODYSTRUCTURE describe a message in an
// encoding of the IMAP4 base specification (RFC 3516 §6) and never send NUL
// in a literal (RFC 9051 §4.3: unencoded binary only in BINARY responses);
// BINARY[...] decodes it back to the octets appended. Pure.
#pragma once

#include <string>
#include <string_view>

namespace mox::message {

// `msg` with every part that is not multipart or message and whose body
// holds a NUL re-encoded as base64 (76-character lines); `msg` unchanged
// when none does.
std::string base64_binary_parts(std::string_view msg);

}  // namespace mox::message
