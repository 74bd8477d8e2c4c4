// The sendmail command line (mox-sendmail(8)): "-t", "-f ADDR", "-F NAME",
// "-i", "-oi", "--", all other flags ignored, then recipients. Parsed by hand,
// not with CLI11: sendmail's flags take glued values ("-fADDR", "-Fname") and
// unknown ones ("-odi", "-oem", "-bm") must be accepted silently, which CLI11's
// grammar does not allow. --help, --version and --config FILE work as in every
// mox-cpp program.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace mox::sendmail {

struct Args {
  bool recipients_from_header = false;  // -t
  std::string envelope_from;            // -f: MAIL FROM; default the configured From
  std::string full_name;                // -F: display name in the From header
  std::vector<std::string> recipients;  // after the flags
  std::string config_path;              // --config
  bool verbose = false;                 // -v: log the SMTP session's steps on stderr
  bool help = false, version = false;
  std::vector<std::string> ignored;  // flags without effect, for a debug log
};

// argv without the program name. kUser for a flag that lacks its value
// ("-f" at the end).
Result<Args> parse_args(const std::vector<std::string>& argv);

// The --help text.
std::string usage();

}  // namespace mox::sendmail
