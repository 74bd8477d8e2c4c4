// Domain names written in Unicode as DNS carries them: IDNA2008 A-labels
// (RFC 5891 §4.4 ToASCII; "bücher.example" → "xn--bcher-kva.example"), for
// comparing names of the Public Suffix List and SMTPUTF8 addresses with
// names from DNS. The conversion is libidn2's (Debian's libidn2-dev, the
// library GNU tools use for IDNA): Unicode normalization (NFC), the
// UTS #46 non-transitional mapping (case folding) and the validity checks
// of RFC 5892 are done there, not here.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::dns {

// `name` with each label that holds a non-ASCII byte replaced by its
// A-label, and ASCII letters lower-cased; labels are split at '.'. Labels
// that are ASCII are not checked (a "*" of a wildcard rule stays).
// kSyntax (naming the label) for a label libidn2 refuses: ill-formed UTF-8,
// disallowed code points, too long.
Result<std::string> to_a_labels(std::string_view name);

}  // namespace mox::dns
