// mox-queue: the outgoing queue — deliver (run, serve), inspect and manage
// queued and retired messages, the suppression list and hold rules (man
// page mox-queue(8)).
#include <functional>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "verbs.h"

namespace {

using moxqueue::Args;
constexpr auto& verb = mox::add_verb<Args>;

// The filter flags of mox-queue(8) "Verbs".
CLI::App* filtered(CLI::App* sub, Args& a) {
  sub->add_option("--account", a.account, "Messages of this sender account");
  sub->add_option("--from", a.from, "Sender address, or @domain");
  sub->add_option("--to", a.to, "Recipient address, or @domain");
  sub->add_option("--hold", a.hold, "true: held messages only; false: not held");
  sub->add_option("--ids", a.ids, "Message IDs, comma-separated");
  sub->add_option("-n,--max", a.max, "At most this many messages");
  sub->add_option("--submitted", a.submitted, "Queued <DURATION ago (recently) or >DURATION ago");
  sub->add_option("--nextattempt", a.nextattempt, "Next attempt in <DURATION or >DURATION");
  sub->add_option("--transport", a.transport, "Messages with this transport");
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::VerbProgram<Args> program(
      "The outgoing mail queue: delivery, retries, DSNs, suppression list, hold rules.",
      "mox-queue");
  auto& [a, app, chosen] = program;

  verb(app, "run", "Deliver every message that is due, then exit", {}, a, moxqueue::run, chosen)
      ->add_flag("-v,--verbose", a.verbose, "Log each delivery on stderr");
  verb(app, "serve", "Deliver continuously; woken at once by new mail", {}, a, moxqueue::serve,
       chosen)
      ->add_flag("-v,--verbose", a.verbose, "Log each delivery on stderr");

  auto* list =
      filtered(verb(app, "list", "List queued messages", {}, a, moxqueue::list, chosen), a);
  list->add_option("--sort", a.sort, "nextattempt (default) or queued")
      ->check(CLI::IsMember({"nextattempt", "queued"}));
  list->add_flag("--asc", a.asc, "Ascending order (default descending for queued)");
  list->add_flag("--json", a.json, "JSON lines");
  filtered(verb(app, "hold", "Hold matching messages (no delivery attempts)", {}, a, moxqueue::hold,
                chosen),
           a);
  filtered(verb(app, "unhold", "Release held messages", {}, a, moxqueue::unhold, chosen), a);
  filtered(verb(app, "schedule", "Move the next attempt by DURATION (from now with --now)",
                {"DURATION"}, a, moxqueue::schedule, chosen),
           a)
      ->add_flag("--now", a.now, "DURATION from now instead of from the current next attempt");
  filtered(verb(app, "fail", "Give up now: failure DSN to the sender, message retired", {}, a,
                moxqueue::fail, chosen),
           a);
  filtered(
      verb(app, "drop", "Remove messages without a DSN (retired)", {}, a, moxqueue::drop, chosen),
      a);
  verb(app, "dump", "Write message ID as it will be sent to stdout", {"ID"}, a, moxqueue::dump,
       chosen);

  auto* retired = app.add_subcommand("retired", "Delivered and failed messages kept for a while");
  retired->require_subcommand(1);
  auto* rlist = filtered(
      verb(*retired, "list", "List retired messages", {}, a, moxqueue::retired_list, chosen), a);
  rlist->add_option("--result", a.result, "success or failure")
      ->check(CLI::IsMember({"success", "failure"}));
  rlist->add_option("--lastactivity", a.lastactivity, "Retired <DURATION ago or >DURATION ago");
  rlist->add_flag("--json", a.json, "JSON lines");
  verb(*retired, "print", "Print retired message ID as JSON", {"ID"}, a, moxqueue::retired_print,
       chosen);

  auto* sup = app.add_subcommand("suppress", "Addresses an account sends no more mail to");
  sup->require_subcommand(1);
  auto* slist =
      verb(*sup, "list", "List suppressed addresses", {}, a, moxqueue::suppress_list, chosen);
  slist->add_option("--account", a.account, "Of this account only");
  slist->add_flag("--json", a.json, "JSON lines");
  verb(*sup, "add", "Suppress ADDRESS for ACCOUNT", {"ACCOUNT", "ADDRESS"}, a,
       moxqueue::suppress_add, chosen);
  verb(*sup, "rm", "Remove ADDRESS from ACCOUNT's list", {"ACCOUNT", "ADDRESS"}, a,
       moxqueue::suppress_rm, chosen);
  verb(*sup, "lookup", "Is ADDRESS suppressed (exit 0 yes, 1 no)", {"ADDRESS"}, a,
       moxqueue::suppress_lookup, chosen)
      ->add_option("--account", a.account, "For this account only");

  auto* hr = app.add_subcommand("holdrules", "Rules that hold new queued messages");
  hr->require_subcommand(1);
  verb(*hr, "list", "List hold rules", {}, a, moxqueue::holdrules_list, chosen)
      ->add_flag("--json", a.json, "JSON lines");
  auto* hadd = verb(*hr, "add", "Add a rule (no fields: hold everything)", {}, a,
                    moxqueue::holdrules_add, chosen);
  hadd->add_option("--account", a.account, "Sender account");
  hadd->add_option("--senderdom", a.senderdom, "Sender domain");
  hadd->add_option("--recipientdom", a.recipientdom, "Recipient domain");
  verb(*hr, "rm", "Remove rule ID", {"ID"}, a, moxqueue::holdrules_rm, chosen);

  return program.run(argc, argv);
}
