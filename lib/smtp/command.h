// SMTP command line parsing (RFC 5321 §4.1), without I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtp/address.h"
#include "util/result.h"

namespace mox::smtp {

// A command line without CRLF, split into an upper-cased verb and the rest.
struct Command {
  std::string verb;  // "EHLO", "MAIL", ...
  std::string args;  // everything after the verb and one space
};
Command split_command(std::string_view line);

// A reverse-path or forward-path: empty for the null path "<>".
struct Path {
  std::optional<Address> address;  // nullopt for <>
  bool non_ascii = false;          // needs SMTPUTF8 (RFC 6531 §3.3)
};

// MAIL FROM:<path> params / RCPT TO:<path> params. `prefix` is "FROM:" or
// "TO:". Tolerates a space after the colon (common in the wild). Source
// routes (RFC 5321 §4.1.2, "@a,@b:") are accepted and ignored.
struct PathArgs {
  Path path;
  std::vector<std::pair<std::string, std::string>> params;  // keyword upper-cased, value as is
};
Result<PathArgs> parse_path_args(std::string_view args, std::string_view prefix);

// RFC 5321 §4.1.1.1: EHLO domain or address literal.
bool valid_ehlo_argument(std::string_view s);

}  // namespace mox::smtp
