#include "sendmail/args.h"

namespace mox::sendmail {

Result<Args> parse_args(const std::vector<std::string>& argv) {
  Args a;
  size_t i = 0;
  // The value of a flag: glued ("-fADDR") or the next argument ("-f ADDR").
  auto value = [&](const std::string& arg, const char* flag) -> Result<std::string> {
    if (arg.size() > 2) return arg.substr(2);
    if (i + 1 >= argv.size()) return user_error(std::string(flag) + " needs a value");
    return argv[++i];
  };
  for (; i < argv.size(); i++) {
    const std::string& s = argv[i];
    if (s == "--") {
      i++;
      break;
    }
    if (s.size() < 2 || s[0] != '-') break;
    if (s == "--help" || s == "-h") {
      a.help = true;
    } else if (s == "--version") {
      a.version = true;
    } else if (s == "--config") {
      if (i + 1 >= argv.size()) return user_error("--config needs a value");
      a.config_path = argv[++i];
    } else if (s.rfind("--config=", 0) == 0) {
      a.config_path = s.substr(9);
    } else if (s == "-v") {
      a.verbose = true;
    } else if (s == "-t") {
      a.recipients_from_header = true;
    } else if (s[1] == 'f') {
      MOX_ASSIGN(a.envelope_from, value(s, "-f"));
    } else if (s[1] == 'F') {
      MOX_ASSIGN(a.full_name, value(s, "-F"));
    } else if (s == "-o" || s == "-B" || s == "-N" || s == "-R" || s == "-V" || s == "-X" ||
               s == "-L") {
      // Flags of sendmail that take a separate value; the value is ignored too.
      a.ignored.push_back(s);
      if (i + 1 < argv.size()) a.ignored.push_back(argv[++i]);
    } else {
      a.ignored.push_back(s);  // -i, -oi, -odi, -oem, -bm, -v, ...
    }
  }
  for (; i < argv.size(); i++) a.recipients.push_back(argv[i]);
  return a;
}

std::string usage() {
  return "usage: mox-sendmail [-t] [-f ADDR] [-F NAME] [-i] [ignored flags] [--] [RECIPIENT]\n"
         "       mox-sendmail [--config FILE] ...\n"
         "\n"
         "Submits the message on standard input to the submission server configured in\n"
         "/etc/moxsubmit.conf (or --config FILE), over TLS or STARTTLS, with a password or a\n"
         "TLS client certificate. The From header is rewritten to the configured From.\n"
         "\n"
         "  -t          take recipients from To, Cc and Bcc (Bcc is removed)\n"
         "  -f ADDR     envelope sender (MAIL FROM); default the configured From\n"
         "  -F NAME     display name for the From header\n"
         "  -i, -oi     accepted; a line with a single dot never ends the message\n"
         "  -v          log the steps of the SMTP session on stderr\n"
         "  --config    configuration file instead of /etc/moxsubmit.conf\n"
         "  --help      this text\n"
         "  --version   print the version\n"
         "\n"
         "A recipient without @ (e.g. root) goes to DefaultDestination. On failure the\n"
         "message is saved in ~/moxsubmit.failures/ and the exit status is 1.\n";
}

}  // namespace mox::sendmail
