// mox-dkim: DKIM keys, DNS records, signing and verification as
// stdin→stdout filters (domains.conf(5) "Domains.*.DKIM"; man page
// mox-dkim(1)).
#include <functional>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "verbs.h"

namespace {

constexpr auto& verb = mox::add_verb<moxdkim::Args>;

void add_dns_options(CLI::App* sub, moxdkim::Args& a) {
  sub->add_option("--zone-file", a.zone_file, "Answer DNS lookups from this zone file");
}

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::VerbProgram<moxdkim::Args> program(
      "DKIM keys, DNS records, signing and verification (RFC 6376, RFC 8463).", "mox-dkim");
  auto& [a, app, chosen] = program;

  verb(app, "genrsa", "Print a new RSA private key (PKCS#8 PEM)", {}, a, moxdkim::genrsa, chosen)
      ->add_option("--bits", a.bits, "Key size (default 2048)");
  verb(app, "gened25519", "Print a new ed25519 private key (PKCS#8 PEM)", {}, a,
       moxdkim::gened25519, chosen);
  verb(app, "txt", "Print the DNS TXT record value for the private key on stdin", {}, a,
       moxdkim::txt, chosen);

  auto* sign = verb(app, "sign", "Prepend DKIM-Signature fields to the message on stdin", {}, a,
                    moxdkim::sign, chosen);
  sign->add_option("--domain", a.domain, "Signing domain (d=)");
  sign->add_option("--selector", a.selector, "Selector (s=)");
  sign->add_option("--key", a.key_file, "Private key file (PEM)");
  sign->add_option("--headers", a.headers, "Header fields to sign (default: mox's list)")
      ->delimiter(',');
  sign->add_flag("--relaxed", a.relaxed, "relaxed/relaxed instead of simple/simple");
  sign->add_flag("--no-seal", a.no_seal, "Do not over-sign the header fields");
  sign->add_option("--expiration", a.expiration, "Signature lifetime for x=, e.g. 72h");
  sign->add_option("--identity", a.identity, "Local part for i= (LOCALPART@domain)");
  sign->add_option("--from-config", a.from_config,
                   "Sign with DOMAIN's selectors from domains.conf");
  sign->add_option("--now", a.now, "Signing time t= as Unix seconds (for tests)");

  auto* verify = verb(app, "verify", "Verify the DKIM-Signature fields of the message on stdin", {},
                      a, moxdkim::verify, chosen);
  add_dns_options(verify, a);
  verify->add_option("--now", a.now, "Verification time as Unix seconds (for tests)");
  verify->add_flag("--allow-sha1", a.allow_sha1, "Accept rsa-sha1 signatures (RFC 8301 forbids)");

  auto* lookup = verb(app, "lookup", "Print the DKIM key record of SELECTOR at DOMAIN",
                      {"SELECTOR", "DOMAIN"}, a, moxdkim::lookup, chosen);
  add_dns_options(lookup, a);

  return program.run(argc, argv);
}
