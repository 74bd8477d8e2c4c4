// IMAP renderings of a message's structure, as strings ready to be put in a
// FETCH response: ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, RFC 3501
// §7.4.2), and the string syntax they are built from (RFC 9051 §4.3).
//
// The output is valid for IMAP4rev1 and IMAP4rev2 clients alike: 8-bit text
// goes in literals, and display names that are not ASCII are sent as RFC 2047
// encoded-words, which every client decodes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imapstring/imapstring.h"
#include "message/envelope.h"
#include "message/mime.h"

namespace mox::message {

// An IMAP string any client can read (imapstring/imapstring.h without
// UTF8=ACCEPT): quoted when 7-bit, without CR or LF, and at most 1024
// octets, else a literal; NULs are left out.
inline std::string imap_string(std::string_view s) { return imapstring::string_form(s, false); }
// NIL for nullopt, else imap_string.
inline std::string imap_nstring(std::optional<std::string_view> s) {
  return imapstring::nstring_form(s, false);
}

// RFC 9051 §7.5.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc,
// bcc, in-reply-to, message-id. Absent or empty fields are NIL; sender and
// reply-to default to from when they hold no address. Strings are as written
// in the header, except that 8-bit text (RFC 6532 UTF-8, or an undeclared
// legacy charset, taken as windows-1252) is made UTF-8, and a subject or
// display name that is not ASCII is sent as RFC 2047 encoded-words.
// Address lists that do not parse are read element by element, and an
// element that still does not parse gives what it can (with Dovecot's
// MISSING_MAILBOX / MISSING_DOMAIN placeholders), never a NIL host, which
// would mean a group marker. Groups are shown with the start and end markers
// of RFC 9051 §7.5.2.
std::string envelope(const Envelope& e);
// The envelope of a message Part (the root, or parts[0] of a message/rfc822
// part); all NIL for a part that is not a message.
std::string envelope(const Part& message);

// RFC 9051 §7.5.2 BODYSTRUCTURE (extended = true: with extension data MD5,
// disposition, language, location; and a multipart's parameters) or BODY
// (extended = false). `part` is usually the root from parse_message. Type,
// subtype, parameter names, disposition type and encoding are upper-cased, as
// in the RFC's examples. A multipart without parts is shown holding one empty
// text/plain part, as Dovecot does: the grammar requires one.
std::string bodystructure(const Part& part, bool extended);

}  // namespace mox::message
