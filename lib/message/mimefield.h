// The MIME header fields of a part (RFC 2045 §5, §6; RFC 2183; RFC 3282)
// and their parameters with RFC 2231 continuations and charsets. Values are
// unfolded field values (HeaderField::value). Lenient where senders are
// known to be sloppy (unquoted values with "=" or spaces, a missing ";",
// comments anywhere); linear in the input; never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::message {

struct MimeParam {
  std::string name;  // lower-cased, without the RFC 2231 "*" and "*N" suffixes
  // The value: quotes removed. For an extended parameter (RFC 2231 §4) the
  // octets after %-decoding, still in `charset`, continuations joined (§3).
  std::string value;
  bool extended = false;  // written as name*= or name*N*=
  std::string charset;    // extended only: as written, may be empty
  std::string language;   // extended only: may be empty
};

struct ContentType {
  std::string type;     // lower-cased, e.g. "text"
  std::string subtype;  // lower-cased, e.g. "plain"
  std::vector<MimeParam> params;
};

struct ContentDisposition {
  std::string type;  // lower-cased, e.g. "attachment"
  std::vector<MimeParam> params;
};

// RFC 2045 §5.1 Content-Type. A value without "type/subtype" is a kSyntax
// error: the caller then uses the default of §5.2.
Result<ContentType> parse_content_type(std::string_view value);
// RFC 2183 §2 Content-Disposition. kSyntax error without a disposition type.
Result<ContentDisposition> parse_content_disposition(std::string_view value);
// RFC 2045 §6.1 Content-Transfer-Encoding: the mechanism, lower-cased, or ""
// when the value holds no token.
std::string parse_transfer_encoding(std::string_view value);
// RFC 3282 §2 Content-Language: the language tags of the list.
std::vector<std::string> parse_content_language(std::string_view value);

// The first parameter named `name` (case-insensitive), or nullptr.
const MimeParam* find_param(const std::vector<MimeParam>& params, std::string_view name);
// The value as UTF-8 text, for display and search: an extended value is
// converted from its charset, a plain one has its RFC 2047 encoded-words
// decoded (a common violation of RFC 2047 §5 in file names).
std::string param_utf8(const MimeParam& p);
// The value as a client may parse it again: plain values as they are,
// extended ones in RFC 2231 form "charset'language'%XX..." (one section).
std::string param_wire_value(const MimeParam& p);

// Text of unknown or undeclared charset as UTF-8: kept if it is valid
// UTF-8, else taken as windows-1252 (a superset of ISO-8859-1, the usual
// charset of undeclared 8-bit mail). With a known `charset` name, converted
// from it; with an unknown one, bad bytes become U+FFFD.
std::string text_to_utf8(std::string_view bytes, std::string_view charset = {});

}  // namespace mox::message
