// The Authentication-Results header field (RFC 8601): written by mox-smtpd
// for each incoming message, and read back to find (and remove) fields that
// claim to be ours.
//
// Writing (§2.2): one method per line, folded at white space between
// items so that lines stay within 78 octets where the items allow
// (RFC 5322 §2.1.1). Property values are written as they are when they are
// a token (RFC 2045 §5.1) or an address or domain ([local-part] "@"
// domain, the pvalue grammar of §2.2), quoted otherwise; comments have
// "(", ")" and "\" escaped. Control characters in values and comments are
// written as spaces (they cannot occur in a header field).
//
// Reading: the value after the colon, folded or not, with comments (CFWS)
// anywhere white space may be. Method names, results, ptypes and
// properties are keywords and are lower-cased; method and header versions
// ("dkim/1", "example.org 1;") are accepted and dropped. Of the comments,
// only the first after a method's result is kept (Method::comment).
//
// Thread safety: functions of their arguments only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "message/header.h"
#include "util/result.h"

namespace mox::authres {

// ptype.property=value (§2.3): {"smtp","mailfrom","a@b.example"},
// {"header","d","example.com"}, {"policy","iprev","192.0.2.1"}.
struct Property {
  std::string type, name, value;
  bool operator==(const Property&) const = default;
};

struct Method {
  std::string method;   // "spf", "dkim", "dmarc", "iprev", "auth"
  std::string result;   // "pass", "fail", ... (§2.7)
  std::string comment;  // written "(...)" after the result; "" for none
  std::string reason;   // reason="..." (§2.2); "" for none
  std::vector<Property> props;
  bool operator==(const Method&) const = default;
};

struct Header {
  std::string authserv_id;      // our host name (§2.5)
  std::vector<Method> methods;  // empty: "none" (§2.2 no-result)
};

// The whole field, "Authentication-Results: id;\r\n\tspf=pass ...\r\n",
// ending in CRLF.
std::string format(const Header& h);

// Parses the value of an Authentication-Results field. kSyntax on
// malformed input (the message says where).
Result<Header> parse(std::string_view value);

// The authserv-id of a field value without reading further (§5), "" when
// there is none.
std::string authserv_id(std::string_view value);

// RFC 8601 §5: a border MTA must not pass on fields that claim its own
// authserv-id, since a sender could forge the results it wants us to seem
// to have found. Those fields (authserv-id equal to `id` without regard to
// case) are removed, not renamed: a renamed field would still carry the
// forger's text to filters and MUAs that look for results by content, and
// nothing is gained by keeping it. Other fields, and everything after the
// header section, are kept byte for byte. A header section that
// message/header.h cannot parse (over its limits), or an empty `id`,
// leaves the text unchanged.
struct Scrubbed {
  std::string header;           // the new text
  int count = 0;                // fields removed
  std::vector<size_t> removed;  // their indexes in the header's fields, ascending
};
Scrubbed scrub(std::string_view header_section, std::string_view id);
// The same with the header section parsed already (`header`, whose offsets
// are into `header_section`; message/parsed.h).
Scrubbed scrub(std::string_view header_section, const message::Header& header, std::string_view id);

}  // namespace mox::authres
