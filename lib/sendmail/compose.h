// The message mox-sendmail submits, made from its standard input
// (mox-sendmail(8)): CRLF line ends, the From header replaced by the configured
// From (with -F's display name), Bcc removed with -t, a To header added when
// there is none, "TLS-Required: No" with RequireTLS no (RFC 8689 §5). I/O-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sendmail/args.h"
#include "sendmail/config.h"
#include "smtp/address.h"
#include "util/result.h"

namespace mox::sendmail {

struct Composed {
  std::string message;
  std::optional<smtp::Address> mail_from;  // nullopt: "-f <>"
  std::vector<smtp::Address> rcpts;        // at least one, no duplicates
};

// Errors: kUser for recipients (none, a bare name without DefaultDestination,
// an invalid address) and for -f; kSyntax for a header line without a
// colon (e.g. a message without header).
Result<Composed> compose(std::string_view input, const Args& args, const SubmitConfig& config);

// Bare LF and bare CR become CRLF (RFC 5322 §2.3).
std::string to_crlf(std::string_view in);

}  // namespace mox::sendmail
