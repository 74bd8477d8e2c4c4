// Standard input of the filter verbs (mox-dkim sign and verify, mox-dmarc
// verify, mox-spf parse, mox-tlspubkey add): read whole.
#pragma once

#include <string>

namespace mox {

// All of standard input, bytes as they are.
std::string read_stdin();

// A message on standard input, which may have bare LF line ends (a file from
// disk), in the CRLF wire form that DKIM and the other checks are defined on
// (RFC 5322 §2.3): each LF without a CR before it gets one.
struct StdinMessage {
  std::string crlf;
  bool lf_only = false;  // it had LF line ends and no CRLF: write results back with LF
};
StdinMessage read_stdin_message();

}  // namespace mox
