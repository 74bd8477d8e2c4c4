// IDNA A-labels from U-labels by Punycode (RFC 3492), for comparing domain
// names written in Unicode (the Public Suffix List, SMTPUTF8 addresses) with
// names as DNS carries them.
//
// Only the encoding step of IDNA's ToASCII (RFC 5891 §4.4, RFC 3492 §6.3):
// no Unicode normalization, case folding or validity checks, so a U-label
// must already be in the form the registry uses (lower case, NFC), as the
// Public Suffix List's rules are. ASCII labels are only lower-cased.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::dns {

// The Punycode encoding of the code points of UTF-8 `label`, without the
// "xn--" prefix ("bücher" → "bcher-kva", RFC 3492 §7.1). kSyntax for
// ill-formed UTF-8 or an overflow (a label far beyond DNS limits).
Result<std::string> punycode_encode(std::string_view label);

// `name` with each label that holds a non-ASCII byte replaced by its A-label
// ("xn--" + punycode) and ASCII letters lower-cased; labels are split at '.'.
Result<std::string> to_a_labels(std::string_view name);

}  // namespace mox::dns
