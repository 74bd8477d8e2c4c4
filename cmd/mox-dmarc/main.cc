// mox-dmarc: DMARC policy records (RFC 7489) as DNS publishes them
// (man page mox-dmarc(1)).
#include <functional>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "verbs.h"

namespace {

using Handler = mox::Handler<moxdmarc::Args>;

// Adds a verb with positional arguments `names` and the DNS options that
// every verb takes.
CLI::App* verb(CLI::App& app, const char* name, const char* desc, std::vector<std::string> names,
               moxdmarc::Args& a, Handler h, Handler& chosen) {
  CLI::App* sub = mox::add_verb(app, name, desc, std::move(names), a, std::move(h), chosen);
  sub->add_option("--zone-file", a.zone_file, "Answer DNS lookups from this zone file");
  sub->add_option("--psl", a.psl, "Public Suffix List file (default: Debian's)");
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::VerbProgram<moxdmarc::Args> program(
      "DMARC policy records (RFC 7489), and the checks of incoming mail.", "mox-dmarc");
  auto& [a, app, chosen] = program;

  verb(app, "lookup", "Print the DMARC record that applies to mail from DOMAIN", {"DOMAIN"}, a,
       moxdmarc::lookup, chosen);
  auto* verify = verb(app, "verify",
                      "Check the message on stdin as mox-smtpd's MX does: SPF, DKIM, DMARC, iprev",
                      {}, a, moxdmarc::verify, chosen);
  verify->add_option("--ip", a.ip, "Address of the client that sent the message")->required();
  verify->add_option("--mail-from", a.mail_from, "MAIL FROM address (\"\" for the null path)")
      ->required();
  verify->add_option("--helo", a.helo, "EHLO/HELO name of the client")->required();
  verify->add_option("--hostname", a.hostname,
                     "Our host name, the authserv-id (default: mox.conf's Hostname)");

  return program.run(argc, argv);
}
