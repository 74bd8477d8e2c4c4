// mox-config: everything an administrator changes (docs/DESIGN.md "Programs").
#include <functional>
#include <set>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "export.h"
#include "verbs.h"

namespace {

constexpr auto& verb = mox::add_verb<moxconfig::Args>;

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  // "tlspubkey" runs mox-tlspubkey with the rest of the line, and with a
  // --config given before the verb.
  std::vector<std::string> global;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "tlspubkey") return moxconfig::tlspubkey(global, argc - i - 1, argv + i + 1);
    if (arg == "--config" && i + 1 < argc) {
      global = {arg, argv[++i]};
    } else if (arg.rfind("--config=", 0) == 0) {
      global = {arg};
    } else {
      break;
    }
  }
  mox::VerbProgram<moxconfig::Args> program(
      "Manage mox-cpp domains, accounts, addresses and passwords.", "mox-config");
  auto& [a, app, chosen] = program;

  auto* qs = verb(app, "quickstart", "Write a new config for ADDRESS's domain and account",
                  {"ADDRESS"}, a, moxconfig::quickstart, chosen);
  qs->add_option("--dir", a.dir, "Directory for config/ and data/ (default .)");
  qs->add_option("--hostname", a.hostname, "Host name of this mail server");
  qs->add_option("--user", a.user, "Unprivileged user the servers run as (default mox)");
  qs->add_flag("--local", a.local, "Listen on 127.0.0.1 with high ports, for testing");

  auto* domain = app.add_subcommand("domain", "Add, remove, disable, enable and list domains");
  domain->require_subcommand(1);
  auto* da = verb(*domain, "add", "Add DOMAIN; LOCALPART creates ACCOUNT",
                  {"DOMAIN", "ACCOUNT", "LOCALPART?"}, a, moxconfig::domain_add, chosen);
  da->add_flag("--disabled", a.disabled, "Add the domain disabled");
  da->add_flag("--ed25519", a.ed25519, "Also create and sign with an ed25519 DKIM key");
  verb(*domain, "rm", "Remove DOMAIN", {"DOMAIN"}, a, moxconfig::domain_rm, chosen);
  verb(
      *domain, "disable", "Disable DOMAIN", {"DOMAIN"}, a,
      [](const moxconfig::Args& x) { return moxconfig::domain_disable(x, true); }, chosen);
  verb(
      *domain, "enable", "Enable DOMAIN", {"DOMAIN"}, a,
      [](const moxconfig::Args& x) { return moxconfig::domain_disable(x, false); }, chosen);
  verb(*domain, "list", "List domains", {}, a, moxconfig::domain_list, chosen)
      ->add_flag("--json", a.json, "JSON lines");

  auto* account = app.add_subcommand("account", "Manage accounts");
  account->require_subcommand(1);
  verb(*account, "add", "Add ACCOUNT with ADDRESS", {"ACCOUNT", "ADDRESS"}, a,
       moxconfig::account_add, chosen);
  verb(*account, "rm", "Remove ACCOUNT and all its data", {"ACCOUNT"}, a, moxconfig::account_rm,
       chosen);
  verb(*account, "list", "List accounts", {}, a, moxconfig::account_list, chosen)
      ->add_flag("--json", a.json, "JSON lines");
  verb(*account, "addresses", "List the addresses of ACCOUNT", {"ACCOUNT"}, a,
       moxconfig::account_addresses, chosen)
      ->add_flag("--json", a.json, "JSON lines");
  verb(*account, "disable", "Refuse logins of ACCOUNT with MESSAGE", {"ACCOUNT", "MESSAGE"}, a,
       moxconfig::account_disable, chosen);
  verb(*account, "enable", "Allow logins of ACCOUNT again", {"ACCOUNT"}, a,
       moxconfig::account_enable, chosen);
  verb(*account, "password", "Set the password of ACCOUNT from standard input", {"ACCOUNT"}, a,
       moxconfig::account_password, chosen);
  verb(*account, "genpassword", "Set and print a generated password", {"ACCOUNT"}, a,
       moxconfig::account_genpassword, chosen);

  auto* address = app.add_subcommand("address", "Manage addresses (\"@domain\" is a catchall)");
  address->require_subcommand(1);
  verb(*address, "add", "Add ADDRESS to ACCOUNT", {"ADDRESS", "ACCOUNT"}, a, moxconfig::address_add,
       chosen);
  verb(*address, "rm", "Remove ADDRESS", {"ADDRESS"}, a, moxconfig::address_rm, chosen);
  verb(*address, "account", "Print the account that receives ADDRESS", {"ADDRESS"}, a,
       moxconfig::address_account, chosen);

  verb(app, "dnsrecords", "Print the DNS records for DOMAIN", {"DOMAIN"}, a, moxconfig::dnsrecords,
       chosen);
  verb(app, "test", "Validate the configuration", {}, a, moxconfig::test, chosen);
  auto* la = verb(app, "loginattempts", "Recent login attempts", {"ACCOUNT?"}, a,
                  moxconfig::loginattempts, chosen);
  la->add_flag("--all", a.all, "All attempts, not only the 10 most recent");
  la->add_flag("--json", a.json, "JSON lines");
  verb(app, "cleanup",
       "Expire login attempts, complete account removals, remove orphan message files", {}, a,
       moxconfig::cleanup, chosen);
  auto* import = app.add_subcommand("import", "Import messages from a Maildir or an mbox file");
  import->require_subcommand(1);
  auto* im = verb(*import, "maildir", "Import the Maildir PATH into MAILBOX of ACCOUNT",
                  {"ACCOUNT", "MAILBOX", "PATH"}, a, moxconfig::import_maildir, chosen);
  im->add_flag("--recursive", a.recursive, "Sub-maildirs as child mailboxes of MAILBOX");
  im->add_flag("--json", a.json, "The summary as a JSON object");
  verb(*import, "mbox", "Import the mbox file PATH (.gz, .zst; - for stdin) into MAILBOX",
       {"ACCOUNT", "MAILBOX", "PATH"}, a, moxconfig::import_mbox, chosen)
      ->add_flag("--json", a.json, "The summary as a JSON object");
  app.add_subcommand("tlspubkey", "TLS client public keys (runs mox-tlspubkey)");
  moxconfig::add_export_verbs(app, a, chosen);

  int rc = program.run(argc, argv);
  // A change made is logged (mox-config(8), LOGGING); passwords come on
  // standard input and never appear in the arguments.
  static const std::set<std::string> kChanges = {"quickstart", "add",      "rm",          "disable",
                                                 "enable",     "password", "genpassword", "cleanup",
                                                 "maildir",    "mbox"};
  if (rc == 0 && kChanges.count(mox::command_path(app).back()) > 0) {
    mox::log_command(app, a.pos, "configuration changed");
  }
  return rc;
}
