// mox-spf: SPF (RFC 7208) checks, record lookups and record syntax
// (man page mox-spf(1)).
#include <functional>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "verbs.h"

namespace {

constexpr auto& verb = mox::add_verb<moxspf::Args>;

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::VerbProgram<moxspf::Args> program("SPF checks, record lookups and record syntax (RFC 7208).",
                                         "mox-spf");
  auto& [a, app, chosen] = program;

  auto* check = verb(app, "check", "Evaluate SPF for a client IP, MAIL FROM and HELO", {}, a,
                     moxspf::check, chosen);
  check->add_option("--ip", a.ip, "Client IP address (IPv4 or IPv6)")->required();
  check->add_option("--mail-from", a.mail_from, "MAIL FROM address; empty for the null path <>")
      ->required();
  check->add_option("--helo", a.helo, "EHLO/HELO name")->required();
  check->add_option("--receiver", a.receiver, "Our host name, for %{r} and the comment");
  check->add_flag("--json", a.json, "Print one JSON object");
  check->add_option("--zone-file", a.zone_file, "Answer DNS lookups from this zone file");

  auto* lookup =
      verb(app, "lookup", "Print the SPF record of DOMAIN", {"DOMAIN"}, a, moxspf::lookup, chosen);
  lookup->add_option("--zone-file", a.zone_file, "Answer DNS lookups from this zone file");

  verb(app, "parse", "Print the terms of the SPF record on stdin, one per line", {}, a,
       moxspf::parse, chosen);

  return program.run(argc, argv);
}
